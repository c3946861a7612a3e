#ifndef GMFETCH_OPTIONS_H
#define GMFETCH_OPTIONS_H
#include "gmfetch/err.h"
#endif
