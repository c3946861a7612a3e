#include "gmfetch/gomod.h"
