#include <criterion/criterion.h>

#include "gmfetch/transfer.h"
