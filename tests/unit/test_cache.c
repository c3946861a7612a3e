#include <criterion/criterion.h>

#include "gmfetch/cache.h"
