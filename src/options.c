#include "gmfetch/options.h"
