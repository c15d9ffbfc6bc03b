import Testing
@testable import Model

@Suite("Column schema: which CSV columns are categorical")
struct ColumnSchemaTests {
    @Test("categorical columns are kept increasing and once each, whatever order they came in")
    func normalizes() {
        let schema = ColumnSchema(columnCount: 6, categoricalColumns: [4, 1, 4, 0])
        #expect(schema.categoricalColumns == [0, 1, 4])
        #expect(schema == ColumnSchema(columnCount: 6, categoricalColumns: [0, 1, 4]))
        #expect(schema.hashValue == ColumnSchema(columnCount: 6, categoricalColumns: [1, 0, 4]).hashValue)
        #expect(schema != ColumnSchema(columnCount: 7, categoricalColumns: [0, 1, 4]))
        #expect(schema.hasCategoricalColumns)
    }

    @Test("isCategorical answers for every column, and no for columns outside the schema")
    func membership() {
        let schema = ColumnSchema(columnCount: 5, categoricalColumns: [1, 3])
        #expect((0..<5).map(schema.isCategorical) == [false, true, false, true, false])
        #expect(!schema.isCategorical(-1))
        #expect(!schema.isCategorical(5))
        #expect(!schema.isCategorical(1000))
    }

    @Test("a numeric schema has no categorical columns")
    func numeric() {
        let schema = ColumnSchema.numeric(columnCount: 3)
        #expect(schema.columnCount == 3)
        #expect(schema.categoricalColumns.isEmpty)
        #expect(!schema.hasCategoricalColumns)
        #expect(!(0..<3).contains(where: schema.isCategorical))
        #expect(ColumnSchema.numeric(columnCount: 0).columnCount == 0)
    }

    @Test("a categorical column outside the row is a broken contract")
    func outOfRange() async {
        await #expect(processExitsWith: .failure) {
            _ = ColumnSchema(columnCount: 3, categoricalColumns: [3])
        }
        await #expect(processExitsWith: .failure) {
            _ = ColumnSchema(columnCount: 3, categoricalColumns: [-1])
        }
    }
}
