/* plan: placeholder, replaced below */
#ifndef GMFETCH_PLAN_H
#define GMFETCH_PLAN_H
#include "gmfetch/err.h"
#endif
