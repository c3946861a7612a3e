#include "gmfetch/gosum.h"
