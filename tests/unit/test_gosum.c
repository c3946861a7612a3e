#include <criterion/criterion.h>

#include "gmfetch/gosum.h"
