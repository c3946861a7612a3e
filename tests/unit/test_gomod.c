#include <criterion/criterion.h>

#include "gmfetch/gomod.h"
