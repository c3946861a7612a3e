#include "gmfetch/zipx.h"
