// The outer structure of a JSON document (see json_cursor.h). Values are
// skipped with bit masks over 64-byte blocks, as simdjson's first stage
// finds its structure: which bytes are quotes, backslashes and brackets;
// which quotes are escaped (odd runs of backslashes); which bytes are
// inside strings (a prefix XOR of the quotes); then the brackets outside
// strings are counted until they balance.
#include "core/json_cursor.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dgc {
namespace json_internal {
namespace {

constexpr size_t kBlock = 64;

// Where the quotes, backslashes and brackets of one block are: bit i is
// byte i.
struct BlockMasks {
  uint64_t quote = 0;
  uint64_t backslash = 0;
  uint64_t open = 0;   // '{' or '['
  uint64_t close = 0;  // '}' or ']'
};

BlockMasks Classify(const char* block) {
  BlockMasks masks;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i case_bit = _mm_set1_epi8(0x20);  // '[' | 0x20 == '{'
  const __m128i open = _mm_set1_epi8('{');
  const __m128i close = _mm_set1_epi8('}');
  for (int part = 0; part < 4; ++part) {
    __m128i bytes =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * part));
    __m128i folded = _mm_or_si128(bytes, case_bit);
    auto bits = [&](__m128i equal) {
      return static_cast<uint64_t>(
                 static_cast<uint32_t>(_mm_movemask_epi8(equal)))
             << (16 * part);
    };
    masks.quote |= bits(_mm_cmpeq_epi8(bytes, quote));
    masks.backslash |= bits(_mm_cmpeq_epi8(bytes, backslash));
    masks.open |= bits(_mm_cmpeq_epi8(folded, open));
    masks.close |= bits(_mm_cmpeq_epi8(folded, close));
  }
#else
  for (size_t i = 0; i < kBlock; ++i) {
    uint64_t bit = uint64_t{1} << i;
    char c = block[i];
    if (c == '"') masks.quote |= bit;
    if (c == '\\') masks.backslash |= bit;
    if (c == '{' || c == '[') masks.open |= bit;
    if (c == '}' || c == ']') masks.close |= bit;
  }
#endif
  return masks;
}

// The bytes that an odd run of backslashes escapes. `*carry` says whether
// the block's first byte is escaped (the previous block ended in an odd
// run) and is set for the next block.
uint64_t EscapedBytes(uint64_t backslash, uint64_t* carry) {
  if (backslash == 0) {
    uint64_t escaped = *carry;
    *carry = 0;
    return escaped;
  }
  constexpr uint64_t kEvenBits = 0x5555555555555555ULL;
  backslash &= ~*carry;  // an escaped backslash starts no run
  uint64_t follows_backslash = (backslash << 1) | *carry;
  uint64_t odd_starts = backslash & ~kEvenBits & ~follows_backslash;
  uint64_t even_starts_ends = 0;
  *carry = __builtin_add_overflow(odd_starts, backslash, &even_starts_ends);
  return (kEvenBits ^ (even_starts_ends << 1)) & follows_backslash;
}

// The number of bits set, without a library call where the target has no
// popcount instruction.
int CountBits(uint64_t bits) {
  bits = bits - ((bits >> 1) & 0x5555555555555555ULL);
  bits = (bits & 0x3333333333333333ULL) + ((bits >> 2) & 0x3333333333333333ULL);
  bits = (bits + (bits >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<int>((bits * 0x0101010101010101ULL) >> 56);
}

// Bit i set when an odd number of bits at or below i are set in `bits`.
uint64_t PrefixXor(uint64_t bits) {
  bits ^= bits << 1;
  bits ^= bits << 2;
  bits ^= bits << 4;
  bits ^= bits << 8;
  bits ^= bits << 16;
  bits ^= bits << 32;
  return bits;
}

// Scans 64-byte blocks from `begin`, tracking strings and escapes, and
// calls `block(offset, masks, in_string)` for each until it returns true;
// returns that block's offset, or npos when the text ends first. Bytes past
// the text's end are masked out.
template <typename OnBlock>
size_t ScanBlocks(std::string_view text, size_t begin, OnBlock&& on_block) {
  uint64_t escape_carry = 0;
  uint64_t in_string_carry = 0;  // all ones while a string is open
  for (size_t offset = begin; offset < text.size(); offset += kBlock) {
    BlockMasks masks = Classify(text.data() + offset);
    if (size_t left = text.size() - offset; left < kBlock) {
      uint64_t valid = (uint64_t{1} << left) - 1;
      masks.quote &= valid;
      masks.backslash &= valid;
      masks.open &= valid;
      masks.close &= valid;
    }
    uint64_t quotes =
        masks.quote & ~EscapedBytes(masks.backslash, &escape_carry);
    uint64_t in_string = PrefixXor(quotes) ^ in_string_carry;
    in_string_carry =
        static_cast<uint64_t>(static_cast<int64_t>(in_string) >> 63);
    if (on_block(offset, masks, quotes, in_string)) return offset;
  }
  return std::string_view::npos;
}

}  // namespace

size_t CompoundEnd(std::string_view text, size_t begin) {
  int64_t depth = 0;
  size_t end = std::string_view::npos;
  ScanBlocks(text, begin,
             [&](size_t offset, const BlockMasks& masks, uint64_t,
                 uint64_t in_string) {
               uint64_t open = masks.open & ~in_string;
               uint64_t close = masks.close & ~in_string;
               int64_t closes = CountBits(close);
               if (closes < depth) {
                 depth += CountBits(open) - closes;
                 return false;
               }
               // The brackets may balance in this block: follow them.
               for (uint64_t brackets = open | close; brackets != 0;
                    brackets &= brackets - 1) {
                 uint64_t bit = brackets & -brackets;
                 depth += (open & bit) != 0 ? 1 : -1;
                 if (depth == 0) {
                   end = offset + __builtin_ctzll(bit) + 1;
                   return true;
                 }
               }
               return false;
             });
  return end;
}

size_t StringEnd(std::string_view text, size_t begin) {
  size_t end = std::string_view::npos;
  ScanBlocks(text, begin,
             [&](size_t offset, const BlockMasks&, uint64_t quotes,
                 uint64_t in_string) {
               // The opening quote counts as inside the string; the
               // closing one is the first quote outside it.
               uint64_t closing = quotes & ~in_string;
               if (closing == 0) return false;
               end = offset + __builtin_ctzll(closing) + 1;
               return true;
             });
  return end;
}

}  // namespace json_internal

void JsonCursor::SkipWhitespace() {
  while (offset_ < text_.size()) {
    char c = text_[offset_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    ++offset_;
  }
}

bool JsonCursor::Consume(char c) {
  SkipWhitespace();
  ran_out_ = offset_ >= text_.size();
  if (ran_out_ || text_[offset_] != c) return false;
  ++offset_;
  return true;
}

bool JsonCursor::Key(std::string_view* key) {
  SkipWhitespace();
  ran_out_ = offset_ >= text_.size();
  if (ran_out_ || text_[offset_] != '"') return false;
  size_t end = json_internal::StringEnd(text_, offset_);
  ran_out_ = end == std::string_view::npos;
  if (ran_out_) return false;
  std::string_view contents = text_.substr(offset_ + 1, end - offset_ - 2);
  if (contents.find('\\') != std::string_view::npos) return false;
  *key = contents;
  offset_ = end;
  return true;
}

bool JsonCursor::Value(std::string_view* value) {
  SkipWhitespace();
  ran_out_ = offset_ >= text_.size();
  if (ran_out_) return false;
  size_t end = std::string_view::npos;
  switch (text_[offset_]) {
    case '{':
    case '[':
      end = json_internal::CompoundEnd(text_, offset_);
      break;
    case '"':
      end = json_internal::StringEnd(text_, offset_);
      break;
    default:
      end = text_.find_first_of(",}] \t\n\r", offset_);
      if (end == std::string_view::npos) end = text_.size();
      if (end == offset_) return false;
      ran_out_ = end == text_.size();  // a longer text may go on with it
  }
  if (end == std::string_view::npos) {
    ran_out_ = true;
    return false;
  }
  *value = text_.substr(offset_, end - offset_);
  offset_ = end;
  return true;
}

bool JsonCursor::AtEnd() {
  SkipWhitespace();
  return offset_ == text_.size();
}

}  // namespace dgc
