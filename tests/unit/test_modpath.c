#include <criterion/criterion.h>

#include "gmfetch/modpath.h"
