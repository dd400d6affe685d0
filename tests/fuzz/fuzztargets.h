#pragma once

// The fuzz targets' bodies, shared by the libFuzzer executables (ZMQSCOPE_FUZZ, clang) and by
// tst_fuzzcorpus, which replays the corpus with any compiler. Each returns 0; a broken
// invariant prints what broke and aborts, which libFuzzer and the test both report.

#include <cstddef>
#include <cstdint>

namespace zmqscope::fuzz {

/// The capture reader on `data` as a file, plus the line and header parsers on `data` itself.
int captureReaderTarget(const std::uint8_t *data, std::size_t size);

/// `data` as frames (each one a length byte, then that many bytes) through the envelope parser,
/// the capture line codec and the timestamp parser.
int envelopeTarget(const std::uint8_t *data, std::size_t size);

/// A link type byte, then packets (2-byte length, a byte cut by the snap length, the bytes) through
/// parseTcpPacket and a TcpReassembler with small limits.
int tcpPacketTarget(const std::uint8_t *data, std::size_t size);

/// `data[0]` chooses how the rest, a ZMTP stream, reaches a ZmtpStreamDecoder: whole and in pieces
/// (the events, the end-of-stream report included, must be the same), with a gap, or joined mid-stream.
int zmtpDecoderTarget(const std::uint8_t *data, std::size_t size);

/// `data` as a MessagePack body, and as a CBOR one (payloaddecoder.h): a value that survives a
/// JSON round trip, or an error naming a byte inside the input; one more byte is refused there.
int msgpackTarget(const std::uint8_t *data, std::size_t size);
int cborTarget(const std::uint8_t *data, std::size_t size);

} // namespace zmqscope::fuzz
