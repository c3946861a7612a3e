#include "gmfetch/transfer.h"
