#include <criterion/criterion.h>

#include "gmfetch/buf.h"
