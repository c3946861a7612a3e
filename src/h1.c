#include "gmfetch/h1.h"
