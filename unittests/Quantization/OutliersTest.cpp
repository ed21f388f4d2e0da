//===- OutliersTest.cpp ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include <gtest/gtest.h>

// TODO(issue 6): tests.
