#include <criterion/criterion.h>

#include "gmfetch/goenv.h"
