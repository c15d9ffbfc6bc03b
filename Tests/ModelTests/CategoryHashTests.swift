import Foundation
import Testing
@testable import Model

@Suite("Category hash: CityHash64 v1.0.x, low 32 bits, as CatBoost hashes categorical values")
struct CategoryHashTests {
    static let vectorDirectory = Fixtures.directory.appendingPathComponent("categorical")

    /// Our vectors (scripts/make_hash_vectors.py, hashes taken from CatBoost 1.2.10), and
    /// `hash_vectors.csv` from CatBoost too whenever it is present.
    static let vectorFiles = ["hash_vectors_catboost.csv", "hash_vectors.csv"].filter { name in
        name == "hash_vectors_catboost.csv"
            || FileManager.default.fileExists(atPath: vectorDirectory.appendingPathComponent(name).path)
    }

    /// `(text bytes, hash)` per row of a `text,hash` vector file (the hash signed or unsigned).
    static func vectors(_ name: String) throws -> [(text: [UInt8], hash: UInt32)] {
        let data = try Data(contentsOf: vectorDirectory.appendingPathComponent(name))
        var records = FixtureCSV.records(Array(data))
        #expect(records.first.map { $0.map { String(decoding: $0, as: UTF8.self) } } == ["text", "hash"], "header of \(name)")
        records.removeFirst()
        return try records.map { record in
            #expect(record.count == 2, "\(record)")
            let hash = try #require(Int64(String(decoding: record[1], as: UTF8.self)), "hash of \(record)")
            return (record[0], UInt32(truncatingIfNeeded: hash))
        }
    }

    @Test("every vector CatBoost hashed gets CatBoost's hash", arguments: vectorFiles)
    func catBoostVectors(file: String) throws {
        let vectors = try Self.vectors(file)
        #expect(vectors.count >= 100, "\(file) holds \(vectors.count) vectors")
        for (text, expected) in vectors {
            let shown = String(decoding: text, as: UTF8.self).debugDescription
            let fromBytes = text.withUnsafeBytes { CategoryHash.hash($0) }
            #expect(fromBytes == expected, "\(shown) (\(text.count) bytes)")
            #expect(CategoryHash.hash(String(decoding: text, as: UTF8.self)) == expected, "\(shown) as a String")
            #expect(UInt32(truncatingIfNeeded: ReferenceCityHash64.hash(text)) == expected, "\(shown), reference")
        }
    }

    @Test("the CatBoost vectors reach every length branch: 0, 1–3, 4–8, 9–16, 17–32, 33–64, 65–128, more")
    func vectorsCoverEveryBranch() throws {
        let lengths = Set(try Self.vectors("hash_vectors_catboost.csv").map(\.text.count))
        for range in [0...0, 1...3, 4...8, 9...16, 17...32, 33...64, 65...128, 129...200] {
            #expect(lengths.contains { range.contains($0) }, "no vector of \(range) bytes")
        }
        for edge in [16, 17, 32, 33, 64, 65, 128, 129] {
            #expect(lengths.contains(edge), "no vector of \(edge) bytes")
        }
    }

    @Test("a few hashes CatBoost 1.2.10 gave, inline", arguments: [
        ("", 797_982_799), ("a", 3_489_901_818), ("bb", 2_242_683_362), ("héllo", 2_301_585_940),
        ("x,y", 3_900_026_132), ("q\"q", 1_790_037_516), ("12", 1_445_320_840),
    ] as [(String, UInt32)])
    func knownHashes(text: String, expected: UInt32) {
        #expect(CategoryHash.hash(text) == expected)
    }

    @Test("the fast CityHash64 equals the byte-at-a-time reference at every length 0…300 and random ones")
    func fastMatchesReference() {
        var generator = SeededGenerator(seed: 21)
        // Random lengths, and every length three times, each at a random misalignment within a
        // larger buffer, so the unaligned loads and the last-word offsets are both exercised.
        let lengths = (0...300).flatMap { [$0, $0, $0] } + (0..<2000).map { _ in Int.random(in: 0...300, using: &generator) }
        for length in lengths {
            let offset = Int.random(in: 0...7, using: &generator)
            let buffer = (0..<(offset + length + 8)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Array(buffer[offset..<(offset + length)])
            let fast = buffer.withUnsafeBytes { CityHash64.hash(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + length)])) }
            #expect(fast == ReferenceCityHash64.hash(text), "length \(length) at offset \(offset): \(text)")
        }
    }

    @Test("an empty buffer without a base address hashes as the empty string")
    func emptyBuffer() {
        #expect(CityHash64.hash(UnsafeRawBufferPointer(start: nil, count: 0)) == 0x9AE1_6A3B_2F90_404F)
        #expect(CategoryHash.hash("") == 797_982_799)
    }

    @Test("an integer hashes as its decimal text, as CatBoost's Python package hashes an int", arguments: [
        0, 1, -1, 7, 12, -12, 255, 65_536, Int64(Int32.min), Int64(Int32.max), Int64.max, Int64.min, Int64.min + 1,
    ] as [Int64])
    func integers(value: Int64) {
        #expect(CategoryHash.hash(integer: value) == CategoryHash.hash(String(value)))
    }

    @Test("integers agree with their text over random magnitudes")
    func randomIntegers() {
        var generator = SeededGenerator(seed: 22)
        for _ in 0..<2000 {
            let value = Int64(bitPattern: generator.next()) >> UInt64.random(in: 0...63, using: &generator)
            #expect(CategoryHash.hash(integer: value) == CategoryHash.hash(String(value)), "\(value)")
        }
        #expect(CategoryHash.hash(integer: 12) == 1_445_320_840)
    }

    @Test("a stored hash comes back bit for bit, NaN and infinity patterns included", arguments: [
        0, 1, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7F80_0001, 0x7FA0_0000, 0x7FC0_0000, 0xFF80_0001, 0xFFFF_FFFF,
        797_982_799,
    ] as [UInt32])
    func storedValueRoundTrip(hash: UInt32) {
        let stored = CategoryHash.storedValue(hash)
        #expect(stored.bitPattern == hash)
        let copied = [Float](repeating: stored, count: 3)
        #expect(CategoryHash.hash(storedIn: copied[2]) == hash)
    }
}
