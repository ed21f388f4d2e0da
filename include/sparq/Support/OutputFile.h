//===- OutputFile.h - Writing output files all or nothing -------*- C++ -*-===//
//
// Part of the sparq project.
//
// Every file a sparq tool writes for the user (IR, objects, reports, .npy
// outputs, statistics) is written to a temporary file next to it and renamed
// over the destination only when complete: a failure, a full disk or a kill
// leaves either the previous file or nothing, never half a file.
//
//===----------------------------------------------------------------------===//

#ifndef SPARQ_SUPPORT_OUTPUTFILE_H
#define SPARQ_SUPPORT_OUTPUTFILE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace sparq {

/// Calls `write` on a stream to a temporary file in `path`'s directory and
/// renames it to `path` when `write` returns success and every byte reached
/// the disk; otherwise removes the temporary. `path` "-" writes to stdout.
/// Errors name `path`; an error `write` returns is passed on as it is.
llvm::Error writeFileAtomically(
    llvm::StringRef path,
    llvm::function_ref<llvm::Error(llvm::raw_pwrite_stream &)> write);

} // namespace sparq

#endif // SPARQ_SUPPORT_OUTPUTFILE_H
