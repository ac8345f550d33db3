public enum JSONLImporter {
    public static func run(events: String, items: String?, columns: ColumnMapping.Names, options: ImportOptions) throws -> ImportResult { throw ImportError("jsonl: not yet") }
}
public enum AmazonImporter {
    public static func run(reviews: String, meta: String?, options: ImportOptions) throws -> ImportResult { throw ImportError("amazon: not yet") }
}
public enum MovieLensImporter {
    public static func run(_ path: String, options: ImportOptions) throws -> ImportResult { throw ImportError("movielens: not yet") }
}
public enum RetailRocketImporter {
    public static func run(_ path: String, options: ImportOptions) throws -> ImportResult { throw ImportError("retailrocket: not yet") }
}
