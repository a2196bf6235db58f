import Foundation
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenReport

/// A batch's SARIF in files code scanning accepts: at most 20 runs each, one category per
/// facility, every facility once.
struct SARIFBundleTests {
    /// `count` copies of clinic-sakura, facility ids F-T-0001…, in `dir`.
    static func facilities(_ count: Int, in dir: URL) throws {
        let snapshot = try String(
            contentsOf: root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json"), encoding: .utf8)
        let devices = try Data(contentsOf: root.appendingPathComponent("Fixtures/clinic-sakura/devices.csv"))
        #expect(snapshot.contains("\"F-CL-0001\""))
        for i in 1...count {
            let id = "F-T-" + String(format: "%04d", i)
            let f = dir.appendingPathComponent("clinic-\(i)")
            try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true)
            try snapshot.replacingOccurrences(of: "\"F-CL-0001\"", with: "\"\(id)\"").write(
                to: f.appendingPathComponent("snapshot.json"), atomically: true, encoding: .utf8)
            try devices.write(to: f.appendingPathComponent("devices.csv"))
        }
    }

    static func run(_ args: [String]) -> (Int32, String) {
        let r = cli(args)
        return (r.code, r.err)
    }

    static func runs(_ dir: URL) throws -> [(file: String, categories: [String], text: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        return try names.map { n in
            let text = try String(contentsOf: dir.appendingPathComponent(n), encoding: .utf8)
            let doc = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            let cats = (doc["runs"] as! [[String: Any]]).map {
                ($0["automationDetails"] as! [String: Any])["id"] as! String
            }
            return (n, cats, text)
        }
    }

    /// 45 facilities (and one that fails to load): three files of 20, 20 and 5 runs, each
    /// valid SARIF, every evaluated facility once, in id order; a shard-and-merge gives the
    /// same files.
    @Test func moreThanTwentyFacilitiesSplitIntoUploadableFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-bundle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try Self.facilities(45, in: input)
        try FileManager.default.createDirectory(
            at: input.appendingPathComponent("broken"), withIntermediateDirectories: true)
        try "{".write(to: input.appendingPathComponent("broken/snapshot.json"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let (code, err) = Self.run([
            "batch", input.path, "--output-dir", out.path, "--as-of", "2026-11-01", "--format", "sarif", "--jobs", "2",
        ])
        #expect(code == 2, "a facility failed to load: \(err)")
        let files = try Self.runs(out.appendingPathComponent("sarif"))
        #expect(files.map(\.file) == ["tenken-0001.sarif", "tenken-0002.sarif", "tenken-0003.sarif"])
        #expect(files.map(\.categories.count) == [20, 20, 5])
        let all = files.flatMap(\.categories)
        #expect(
            all == (1...45).map { "tenken/mcs/F-T-\(String(format: "%04d", $0))/" },
            "every facility once, in id order; none for the broken one")
        for f in files {
            #expect(SARIFSchema.errors(f.text) == [], "\(f.file)")
            #expect(codeScanningProblems(f.text) == [], "\(f.file)")
        }
        // A facility's run is the same in the bundle as in its own report.
        let own = try String(
            contentsOf: out.appendingPathComponent("facilities/F-T-0007/report.sarif"), encoding: .utf8)
        let ownRun =
            ((try JSONSerialization.jsonObject(with: Data(own.utf8)) as! [String: Any])["runs"] as! [Any])[0]
            as! NSDictionary
        let bundled =
            ((try JSONSerialization.jsonObject(with: Data(files[0].text.utf8)) as! [String: Any])["runs"] as! [Any])[6]
            as! NSDictionary
        #expect(ownRun == bundled)

        // Sharded, then merged: the same files, byte for byte.
        let s1 = dir.appendingPathComponent("s1"), s2 = dir.appendingPathComponent("s2"),
            merged = dir.appendingPathComponent("merged")
        for (i, s) in [s1, s2].enumerated() {
            _ = Self.run([
                "batch", input.path, "--output-dir", s.path, "--as-of", "2026-11-01", "--format", "sarif", "--shard",
                "\(i + 1)/2",
            ])
        }
        let (mc, merr) = Self.run([
            "merge", s1.appendingPathComponent("aggregate.json").path, s2.appendingPathComponent("aggregate.json").path,
            "--output-dir", merged.path,
        ])
        #expect(mc == 2, "\(merr)")
        let mfiles = try Self.runs(merged.appendingPathComponent("sarif"))
        #expect(mfiles.map(\.file) == files.map(\.file))
        #expect(mfiles.map(\.text) == files.map(\.text))

        // A shard written without SARIF beside one with it: refused, nothing written.
        let s3 = dir.appendingPathComponent("s3"), refused = dir.appendingPathComponent("refused")
        _ = Self.run([
            "batch", input.path, "--output-dir", s3.path, "--as-of", "2026-11-01", "--format", "json", "--shard", "2/2",
        ])
        let (rc, rerr) = Self.run([
            "merge", s1.appendingPathComponent("aggregate.json").path, s3.appendingPathComponent("aggregate.json").path,
            "--output-dir", refused.path,
        ])
        #expect(rc == 2 && rerr.contains("error[merge.sarif]") && rerr.contains("has no SARIF report"), "\(rerr)")
        #expect(!FileManager.default.fileExists(atPath: refused.appendingPathComponent("aggregate.json").path))

        // A later batch without SARIF leaves no stale bundle behind.
        _ = Self.run(["batch", input.path, "--output-dir", out.path, "--as-of", "2026-11-01", "--format", "json"])
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("sarif").path))
    }

    /// Every artifact location of a SARIF file: (uri, uriBaseId).
    static func artifactURIs(_ text: String) throws -> [(String, String?)] {
        var out: [(String, String?)] = []
        func walk(_ v: Any, key: String?) {
            if let d = v as? [String: Any] {
                if key != "originalUriBaseIds", let u = d["uri"] as? String,
                    key == "artifactLocation" || key == "location"
                {
                    out.append((u, d["uriBaseId"] as? String))
                }
                for (k, x) in d where k != "originalUriBaseIds" { walk(x, key: k) }
            } else if let a = v as? [Any] {
                for x in a { walk(x, key: key) }
            }
        }
        walk(try JSONSerialization.jsonObject(with: Data(text.utf8)), key: nil)
        return out
    }

    /// `merge --sarif-base` writes the URIs `batch --sarif-base` writes (not the base twice,
    /// `in/in/clinic-1/…`), whatever base the shards were run with; a file outside the base
    /// is an absolute `file:` URI, never one relative to a base it is not in.
    @Test func mergeRebasesArtifactsLikeBatch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-rebase-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try Self.facilities(3, in: input)
        let whole = dir.appendingPathComponent("whole")
        _ = Self.run([
            "batch", input.path, "--output-dir", whole.path, "--as-of", "2026-11-01", "--format", "sarif",
            "--sarif-base", input.path,
        ])
        let expected = try Self.runs(whole.appendingPathComponent("sarif"))
        #expect(
            try Self.artifactURIs(expected[0].text).contains { $0.0 == "clinic-1/snapshot.json" && $0.1 == "SRCROOT" })
        // Shards run with the working directory as base (absolute URIs: the input is outside
        // it) and with the parent folder as base (`in/clinic-1/…`).
        let s1 = dir.appendingPathComponent("s1"), s2 = dir.appendingPathComponent("s2")
        _ = Self.run([
            "batch", input.path, "--output-dir", s1.path, "--as-of", "2026-11-01", "--format", "sarif", "--shard",
            "1/2",
        ])
        _ = Self.run([
            "batch", input.path, "--output-dir", s2.path, "--as-of", "2026-11-01", "--format", "sarif", "--shard",
            "2/2", "--sarif-base", dir.path,
        ])
        let merged = dir.appendingPathComponent("merged")
        let (mc, merr) = Self.run(["merge", s1.path, s2.path, "--output-dir", merged.path, "--sarif-base", input.path])
        #expect(mc == 0, "\(merr)")
        let got = try Self.runs(merged.appendingPathComponent("sarif"))
        #expect(got.map(\.text) == expected.map(\.text), "the same bundle as batch --sarif-base")
        for f in got {
            let uris = try Self.artifactURIs(f.text)
            #expect(!uris.isEmpty)
            #expect(uris.allSatisfy { $0.1 == "SRCROOT" && $0.0.hasPrefix("clinic-") }, "\(uris)")
        }
        // Merged with the default base (the working directory, which the input is not in):
        // every artifact absolute, none relative to a base it is not under.
        let outside = dir.appendingPathComponent("outside")
        _ = Self.run(["merge", s1.path, s2.path, "--output-dir", outside.path])
        for f in try Self.runs(outside.appendingPathComponent("sarif")) {
            let uris = try Self.artifactURIs(f.text)
            #expect(
                uris.allSatisfy { $0.1 == nil && $0.0.hasPrefix("file://") && $0.0.contains("/in/clinic-") }, "\(uris)")
        }
    }

    /// 1,000 facilities make 50 files of 20 runs; a file also stays under the size budget
    /// (code scanning takes at most 10 MB gzip-compressed), a run larger than it going alone.
    @Test func groupingHoldsForAThousandFacilities() {
        let thousand = (1...1000).map { SARIFBundle.Source(facility: "F-\($0)", path: "", size: 300_000) }
        let groups = SARIFBundle.groups(thousand)
        #expect(groups.count == 50 && groups.allSatisfy { $0.count == 20 })
        #expect(groups.flatMap { $0.map(\.facility) } == thousand.map(\.facility))
        #expect(
            SARIFBundle.fileName(50, of: 50) == "tenken-0050.sarif"
                && SARIFBundle.fileName(7, of: 12_000) == "tenken-00007.sarif")
        let sizes = [30, 30, 100, 5, 5].map { SARIFBundle.Source(facility: "x", path: "", size: $0 << 20) }
        #expect(SARIFBundle.groups(sizes).map(\.count) == [1, 1, 1, 2])
    }
}
