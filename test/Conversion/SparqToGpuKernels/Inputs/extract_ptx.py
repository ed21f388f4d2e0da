"""Writes the PTX of every gpu.binary in an MLIR file (from
gpu-module-to-binary{format=isa}) to one file, kernels in module order."""

import argparse
import re
import sys


def unescape_mlir_string(text):
    # Bytes that are not printable are \XX (hex); a backslash or quote is
    # escaped by a backslash.
    return re.sub(r'\\([0-9A-Fa-f]{2}|\\|")',
                  lambda m: m.group(1) if len(m.group(1)) == 1
                  else chr(int(m.group(1), 16)), text)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("input")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    with open(args.input) as f:
        text = f.read()
    modules = re.findall(r'assembly = "((?:[^"\\]|\\.)*)"', text, re.S)
    if not modules:
        sys.exit(f"{args.input}: no gpu.binary with PTX (format=isa)")
    with open(args.output, "w") as f:
        for ptx in modules:
            f.write(unescape_mlir_string(ptx))


if __name__ == "__main__":
    main()
