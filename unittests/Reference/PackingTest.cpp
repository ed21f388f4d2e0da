//===- PackingTest.cpp - Tests for reference sub-byte packing -------------===//

#include "sparq/Reference/Packing.h"

#include "gtest/gtest.h"

using namespace sparq::ref;

namespace {

/// Tiny deterministic LCG (Numerical Recipes constants).
struct Lcg {
  uint32_t state;
  explicit Lcg(uint32_t seed) : state(seed) {}
  uint32_t next() { return state = state * 1664525u + 1013904223u; }
  /// Uniform-ish integer in [lo, hi].
  int32_t range(int32_t lo, int32_t hi) {
    return lo + static_cast<int32_t>((next() >> 8) % uint32_t(hi - lo + 1));
  }
};

std::vector<uint8_t> packVec(const std::vector<int32_t> &values,
                             unsigned bits) {
  return pack(values, 1, values.size(), bits);
}

TEST(PackingTest, RowBytes) {
  EXPECT_EQ(packedRowBytes(0, 4), 0);
  EXPECT_EQ(packedRowBytes(1, 2), 1);
  EXPECT_EQ(packedRowBytes(5, 3), 2); // 15 bits.
  EXPECT_EQ(packedRowBytes(8, 3), 3); // 24 bits.
  EXPECT_EQ(packedRowBytes(9, 3), 4); // 27 bits.
  EXPECT_EQ(packedRowBytes(7, 8), 7);
  EXPECT_EQ(packedRowBytes(3, 7), 3); // 21 bits.
}

TEST(PackingTest, HandChecked2Bit) {
  // Unsigned [1, 2, 3, 0, 2]: bitstream (bit 0 first) 10 01 11 00 | 01.
  // Byte 0 = 0b00'11'10'01 = 0x39, byte 1 = 0b10 = 0x02.
  EXPECT_EQ(packVec({1, 2, 3, 0, 2}, 2), (std::vector<uint8_t>{0x39, 0x02}));
  // Signed [-1, -2, 1, 0] = 2-bit 11, 10, 01, 00: byte = 0b00'01'10'11.
  EXPECT_EQ(packVec({-1, -2, 1, 0}, 2), (std::vector<uint8_t>{0x1B}));
}

TEST(PackingTest, HandChecked3Bit) {
  // Unsigned [5, 3, 7, 1, 6] = 101, 011, 111, 001, 110 occupy bits 0-2, 3-5,
  // 6-8, 9-11, 12-14. Set bits: 0, 2 (5); 3, 4 (3); 6, 7, 8 (7); 9 (1);
  // 13, 14 (6). Byte 0 = bits 0,2,3,4,6,7 = 1+4+8+16+64+128 = 0xDD.
  // Byte 1 = bits 8,9,13,14 -> 1+2+32+64 = 0x63; bit 15 is padding.
  EXPECT_EQ(packVec({5, 3, 7, 1, 6}, 3), (std::vector<uint8_t>{0xDD, 0x63}));
  // Signed [-4, 3, -1] = 100, 011, 111: set bits 2; 3, 4; 6, 7, 8.
  // Byte 0 = 4+8+16+64+128 = 0xDC, byte 1 = 0x01 (bits 9-15 padding).
  EXPECT_EQ(packVec({-4, 3, -1}, 3), (std::vector<uint8_t>{0xDC, 0x01}));
}

TEST(PackingTest, HandChecked4Bit) {
  // The even element is the low nibble (ONNX int4 layout).
  EXPECT_EQ(packVec({1, 2, 15, 0, 10}, 4),
            (std::vector<uint8_t>{0x21, 0x0F, 0x0A}));
  // Signed -8 = 0x8, 7 = 0x7, -1 = 0xF.
  EXPECT_EQ(packVec({-8, 7, -1}, 4), (std::vector<uint8_t>{0x78, 0x0F}));
}

TEST(PackingTest, HandChecked8Bit) {
  EXPECT_EQ(packVec({-1, 127, -128, 0}, 8),
            (std::vector<uint8_t>{0xFF, 0x7F, 0x80, 0x00}));
  EXPECT_EQ(packVec({255, 1}, 8), (std::vector<uint8_t>{0xFF, 0x01}));
}

TEST(PackingTest, StoresOnlyLowBits) {
  // 0x1F keeps 0xF; -1 read back unsigned is 15; 0x12 keeps 0x2.
  std::vector<uint8_t> bytes = packVec({0x1F, -1, 0x12}, 4);
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0xFF, 0x02}));
  EXPECT_EQ(unpack(bytes, 1, 3, 4, /*isSigned=*/false),
            (std::vector<int32_t>{15, 15, 2}));
  EXPECT_EQ(unpack(bytes, 1, 3, 4, /*isSigned=*/true),
            (std::vector<int32_t>{-1, -1, 2}));
}

TEST(PackingTest, RoundTripAllWidths) {
  Lcg lcg(42);
  for (unsigned bits = 2; bits <= 8; ++bits) {
    for (bool isSigned : {false, true}) {
      int32_t lo = isSigned ? -(1 << (bits - 1)) : 0;
      int32_t hi = isSigned ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
      for (int64_t cols : {1, 5, 7, 13, 16}) {
        const int64_t rows = 3;
        std::vector<int32_t> values(rows * cols);
        for (int32_t &v : values)
          v = lcg.range(lo, hi);
        // Make sure both extremes appear.
        values[0] = lo;
        values.back() = hi;
        std::vector<uint8_t> bytes = pack(values, rows, cols, bits);
        int64_t rowBytes = packedRowBytes(cols, bits);
        ASSERT_EQ(static_cast<int64_t>(bytes.size()), rows * rowBytes);
        EXPECT_EQ(unpack(bytes, rows, cols, bits, isSigned), values)
            << "bits=" << bits << " signed=" << isSigned << " cols=" << cols;
        // The padding bits of each row's last byte are zero.
        unsigned usedBits = (cols * bits) % 8;
        if (usedBits == 0)
          continue;
        for (int64_t r = 0; r < rows; ++r)
          EXPECT_EQ(bytes[(r + 1) * rowBytes - 1] >> usedBits, 0)
              << "bits=" << bits << " cols=" << cols << " row=" << r;
      }
    }
  }
}

TEST(PackingTest, EightElementsAreBitsBytes) {
  Lcg lcg(7);
  for (unsigned bits = 2; bits <= 8; ++bits) {
    std::vector<int32_t> values(24);
    for (int32_t &v : values)
      v = lcg.range(0, (1 << bits) - 1);
    std::vector<uint8_t> whole = packVec(values, bits);
    ASSERT_EQ(whole.size(), 3 * bits);
    // Each aligned group of 8 elements packs alone into the same b bytes.
    for (unsigned g = 0; g < 3; ++g) {
      std::vector<int32_t> group(values.begin() + 8 * g,
                                 values.begin() + 8 * g + 8);
      std::vector<uint8_t> expected(whole.begin() + bits * g,
                                    whole.begin() + bits * g + bits);
      EXPECT_EQ(packVec(group, bits), expected) << "bits=" << bits;
    }
  }
}

TEST(PackingTest, RowsPackedIndependently) {
  Lcg lcg(3);
  const unsigned bits = 3;
  const int64_t rows = 4, cols = 5; // 15 bits -> 2 bytes per row.
  std::vector<int32_t> values(rows * cols);
  for (int32_t &v : values)
    v = lcg.range(-4, 3);
  std::vector<uint8_t> bytes = pack(values, rows, cols, bits);
  ASSERT_EQ(bytes.size(), 8u);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<uint8_t> row(2);
    packRow(llvm::ArrayRef<int32_t>(values).slice(r * cols, cols), bits, row);
    EXPECT_EQ(bytes[2 * r], row[0]);
    EXPECT_EQ(bytes[2 * r + 1], row[1]);
    std::vector<int32_t> back(cols);
    unpackRow(llvm::ArrayRef<uint8_t>(bytes).slice(2 * r, 2), bits,
              /*isSigned=*/true, back);
    EXPECT_EQ(back, std::vector<int32_t>(values.begin() + r * cols,
                                         values.begin() + (r + 1) * cols));
  }
}

} // namespace
