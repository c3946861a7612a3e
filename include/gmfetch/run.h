#ifndef GMFETCH_RUN_H
#define GMFETCH_RUN_H
#include "gmfetch/err.h"
#endif
