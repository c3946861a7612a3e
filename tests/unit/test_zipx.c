#include <criterion/criterion.h>

#include "gmfetch/zipx.h"
