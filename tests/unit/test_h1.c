#include <criterion/criterion.h>

#include "gmfetch/h1.h"
