//===- Rtn.cpp ---===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

// TODO(issue 6): not implemented yet.
