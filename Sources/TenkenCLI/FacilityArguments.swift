import Foundation
import TenkenAudit
import TenkenData
import TenkenSyntax

extension CLI {
    enum FacilityArgumentError: Error {
        case usage(UsageError)
        case input(Diagnostic)
    }

    /// What a command says when no facility is given: how an installed user starts one.
    static let noFacilityGiven = UsageError(
        message: "give a facility: a folder of tables, a JSON snapshot file, or --snapshot FILE",
        help: "to start one, run `tenken init ./my-clinic`, fill in its tables, then `tenken check ./my-clinic`")

    /// The facility a command's positional argument names: a folder (of tables, or with
    /// snapshot.json), or a JSON snapshot file. One table is not a facility: its folder is.
    static func facility(at path: String, schema: PackSchema) -> Result<FacilityInput, FacilityArgumentError> {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            return .failure(
                .input(
                    Diagnostic(
                        "data.file-not-found", .error, "no such file or folder", at: SourceLocation(file: path),
                        help:
                            "give a facility folder or a snapshot file; `tenken init \(path)` writes blank tables there"
                    )))
        }
        guard !isDir.boolValue else { return FacilityInput.folder(path, schema: schema).mapError { .input($0) } }
        let ext = FilePath.fileExtension(path)
        if FacilityInput.isWorkbook(path) { return .success(FacilityInput.file(path, schema: schema)) }
        if ["csv", "tsv"].contains(ext) {
            let dir = FilePath.parent(path)
            return .failure(
                .usage(
                    UsageError(
                        message: "`\(path)` is one table; a facility is the folder of its tables, or a JSON snapshot",
                        help: "give the folder: tenken check \(dir.isEmpty ? "." : dir)")))
        }
        return .success(FacilityInput(snapshot: path, schema: schema))
    }
}

extension CLI {
    /// The facility a command reads, from its positional argument (`positional`) and its
    /// `--snapshot FILE` (`snapshotOption`): each read by `facility(at:)`, so a folder, a
    /// workbook and a JSON file are told apart the same way whichever names them (a workbook
    /// named by `--snapshot` is not read as JSON). With both, `--snapshot` takes a JSON
    /// snapshot only: it takes the place of the folder's own and keeps its companions (its
    /// device inventory, its statements table). A workbook or a folder is a whole facility,
    /// and beside another it is refused (a usage error naming both): taking either alone would
    /// silently drop the other's rows, a "no" statement among them. `nil` when neither is given.
    static func facility(
        positional: String?, snapshotOption: String?, schema: PackSchema
    ) -> Result<FacilityInput, FacilityArgumentError>? {
        guard let path = positional ?? snapshotOption else { return nil }
        let named = facility(at: path, schema: schema)
        guard let positional, let s = snapshotOption, case .success(var input) = named else { return named }
        switch facility(at: s, schema: schema) {
        // Only a JSON file given on its own: a folder named by `--snapshot` (even one holding a
        // snapshot.json) is a whole facility, never its snapshot with another's statements.
        case .success(let given) where given.snapshot != nil && given.tables == nil && given.folder == nil:
            input.snapshot = given.snapshot
            input.tables = nil
            input.folderDiagnostics += given.folderDiagnostics
            return .success(input)
        case .success:
            return .failure(
                .usage(
                    UsageError(
                        message:
                            "`\(positional)` and `--snapshot \(s)` both name a whole facility; "
                            + "beside a folder, --snapshot takes a JSON snapshot only",
                        help:
                            "give one of them alone, or give --snapshot a JSON snapshot file to judge with the folder's tables"
                    )))
        case let other: return other
        }
    }
}
