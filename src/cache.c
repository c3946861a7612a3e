#include "gmfetch/cache.h"
