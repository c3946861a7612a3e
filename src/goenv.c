#include "gmfetch/goenv.h"
