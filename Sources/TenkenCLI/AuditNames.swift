import TenkenAudit

// TenkenAudit's names, for the CLI files that are being edited on other branches and so do not
// import TenkenAudit yet (FacilityInput, Convert, Init, Attest, Batch, BatchOutput). When those
// files move or gain `import TenkenAudit`, this file goes.
public typealias LoadedPack = TenkenAudit.LoadedPack
typealias PackLoader = TenkenAudit.PackLoader
typealias Baseline = TenkenAudit.Baseline
typealias WaiverFile = TenkenAudit.WaiverFile
typealias InputSet = TenkenAudit.InputSet
typealias FileIdentity = TenkenAudit.FileIdentity
typealias FileNames = TenkenAudit.FileNames
typealias FileLock = TenkenAudit.FileLock
typealias Interruption = TenkenAudit.Interruption
typealias FacilityFiles = TenkenAudit.FacilityFiles
typealias StagedFolder = TenkenAudit.StagedFolder
typealias ExitCode = TenkenAudit.ExitCode
typealias DiagnosticPrinter = TenkenAudit.DiagnosticPrinter

@discardableResult
func removeOwnedTree(_ path: String, own: ([String], Bool) -> Bool) -> [String] { TenkenAudit.removeOwnedTree(path, own: own) }
