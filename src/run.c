#include "gmfetch/run.h"
