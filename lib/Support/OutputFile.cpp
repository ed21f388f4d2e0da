//===- OutputFile.cpp - Writing output files all or nothing ---------------===//
//
// Part of the sparq project.
//
//===----------------------------------------------------------------------===//

#include "sparq/Support/OutputFile.h"

#include "llvm/Support/FileSystem.h"

using namespace llvm;

Error sparq::writeFileAtomically(
    StringRef path, function_ref<Error(raw_pwrite_stream &)> write) {
  if (path == "-") {
    if (Error err = write(outs()))
      return err;
    outs().flush();
    return Error::success();
  }
  // The temporary is in the destination's directory, so the rename cannot
  // cross file systems.
  Expected<sys::fs::TempFile> temp =
      sys::fs::TempFile::create(path + "-%%%%%%.partial");
  if (!temp)
    return createStringError(inconvertibleErrorCode(),
                             "cannot write " + path + ": " +
                                 toString(temp.takeError()));
  Error written = Error::success();
  {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    written = write(os);
    os.flush();
    if (!written && os.has_error()) {
      written = createStringError(inconvertibleErrorCode(),
                                  "cannot write " + path + ": " +
                                      os.error().message());
      os.clear_error();
    }
  }
  if (written) {
    consumeError(temp->discard());
    return written;
  }
  if (Error err = temp->keep(path))
    return createStringError(inconvertibleErrorCode(),
                             "cannot write " + path + ": " +
                                 toString(std::move(err)));
  return Error::success();
}
