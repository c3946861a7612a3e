#include "gmfetch/plan.h"
