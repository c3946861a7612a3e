#include "gmfetch/modpath.h"
