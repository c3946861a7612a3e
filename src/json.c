#include "gmfetch/json.h"
