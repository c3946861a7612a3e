#include <criterion/criterion.h>

#include "gmfetch/plan.h"
