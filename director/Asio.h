// Boost.Asio for the director: base/Asio.h says why it is included through a header of ours.
#pragma once

#include "base/Asio.h"
