#include <criterion/criterion.h>

#include "gmfetch/json.h"
