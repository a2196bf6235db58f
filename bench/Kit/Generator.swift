import Foundation
import TenkenSyntax

/// A deterministic generator (fixed seed) of realistic facilities in the real snapshot and
/// inventory formats, from a clinic to a large hospital, with a share of everyday gaps so the
/// rules do real work. Same seed, same bytes.
public struct SplitMix64: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func int(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    public mutating func chance(_ permille: Int) -> Bool { int(1000) < permille }
    public mutating func range(_ r: ClosedRange<Int>) -> Int { r.lowerBound + int(r.count) }
}

public struct FacilitySize: Sendable, CustomStringConvertible {
    public var staff: Int, devices: Int, patients: Int, groups: Int, consents: Int
    public init(staff: Int, devices: Int, patients: Int, groups: Int, consents: Int) {
        self.staff = staff
        self.devices = devices
        self.patients = patients
        self.groups = groups
        self.consents = consents
    }
    public static let clinic = FacilitySize(staff: 6, devices: 10, patients: 50, groups: 50, consents: 50)
    public static let huge = FacilitySize(
        staff: 5000, devices: 20000, patients: 100_000, groups: 10000, consents: 100_000)
    public func scaled(by d: Int) -> FacilitySize {
        FacilitySize(
            staff: max(1, staff / d), devices: max(1, devices / d), patients: max(1, patients / d),
            groups: max(1, groups / d), consents: max(1, consents / d))
    }
    public var description: String {
        "\(staff) staff, \(devices) devices, \(patients) patients, \(groups) groups, \(consents) consents"
    }
}

public enum Generator {
    static let asOfDay = 20_393  // 2025-11-01 in days since 1970; dates are derived from it

    static func date(_ daysBefore: Int) -> String {
        let (y, m, d) = CivilCalendar.date(days: asOfDay - daysBefore)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The as-of date the generated data is consistent with.
    public static let asOf = "2025-11-01"

    /// A mix of sizes: mostly clinics, some mid-size facilities, a few hospitals.
    public static func size(for index: Int, seed: UInt64) -> FacilitySize {
        var r = SplitMix64(seed: seed ^ UInt64(index) &* 0x2545_F491_4F6C_DD1D)
        let k = r.int(100)
        if k < 70 {
            let s = r.range(4...15)
            return FacilitySize(
                staff: s, devices: s + r.range(2...8), patients: r.range(30...90), groups: r.range(20...60),
                consents: r.range(30...90))
        } else if k < 92 {
            let s = r.range(30...80)
            return FacilitySize(
                staff: s, devices: s * 2, patients: r.range(150...400), groups: r.range(100...250),
                consents: r.range(150...400))
        }
        let s = r.range(120...300)
        return FacilitySize(
            staff: s, devices: s * 3, patients: r.range(500...1500), groups: r.range(300...900),
            consents: r.range(500...1500))
    }

    static let jobs = [
        "doctor", "nurse", "nurse", "nurse", "assistant-nurse", "pharmacist", "therapist", "care-manager", "clerk",
        "clerk",
    ]
    static let attestationKeys = [
        "no-written-credentials", "no-credential-sharing", "logout-after-use", "logout-when-away",
        "no-guessable-passwords",
        "no-similar-password-reuse", "check-before-posting", "no-sharing-outside-group", "no-untrusted-downloads",
        "no-suspicious-links", "beware-fake-sites", "password-manager", "authority-to-restrict",
        "invitation-acceptance-judged",
        "posts-about-own-patient", "own-posts-responsibility", "entries-purpose-privacy",
    ]

    /// The snapshot JSON (without devices) and the device inventory CSV of one facility.
    public static func facility(id: String, size: FacilitySize, seed: UInt64) -> (snapshot: String, devicesCSV: String)
    {
        var r = SplitMix64(seed: seed)
        // Facilities have policies; elements deviate from them only now and then.
        let diligent = r.chance(350)
        func often(_ permille: Int) -> Int { diligent ? 1000 - (1000 - permille) / 20 : permille }
        func rare(_ permille: Int) -> Int { diligent ? permille / 20 : permille / 3 }
        let vpn = r.chance(often(600)), cert = r.chance(often(450)), mdm = r.chance(often(750)),
            filter = r.chance(often(700))
        var s = String()
        s.reserveCapacity(size.staff * 260 + size.patients * 60 + size.groups * 420 + size.consents * 170 + 8000)
        func q(_ x: String) -> String { "\"" + x + "\"" }
        let hospital = size.staff > 100
        let kind = hospital ? "hospital" : ["clinic", "clinic", "visiting-nurse", "pharmacy", "care"][r.int(5)]
        s += "{\n  \"schema_version\": 1,\n"
        s +=
            "  \"facility\": {\"id\": \(q(id)), \"name\": \(q("施設 \(id)")), \"kind\": \(q(kind)), \"beds\": "
            + "\(hospital ? r.range(100...400) : 0), "
        s +=
            "\"uses_wifi\": true, \"lends_devices\": true, \"allows_personal_devices\": \(r.chance(300)), "
            + "\"uses_patient_accounts\": \(r.chance(200)), \"shares_outside\": true"
        if hospital && r.chance(800) { s += ", \"committee_established_on\": \(q(date(2000)))" }
        s += "},\n"
        s +=
            "  \"roles\": ["
            + ["operations-lead", "system-admin", "privacy-lead", "mcs-admin"].map {
                "{\"role\": \(q($0)), \"staff_id\": \"S-1\", \"since\": \(q(date(1500)))}"
            }.joined(separator: ", ")
        if hospital && r.chance(700) {
            s += ", {\"role\": \"audit-lead\", \"staff_id\": \"S-2\", \"since\": \(q(date(1500)))}"
        }
        s += "],\n"
        let long = r.chance(700)
        s +=
            "  \"service\": {\"password\": {\"min_length\": \(long ? 13 : 8), \"requires_letters\": true, "
            + "\"requires_digits\": true, \"requires_symbols\": "
            + "\(r.chance(900))\(long ? "" : ", \"max_age\": \(r.chance(600) ? 60 : 90)")}, "
        s +=
            "\"invitation_approval\": \(r.chance(950)), \"client_certificates\": false, "
            + "\"official_contacts_published\": \(r.chance(900))},\n"
        // Staff and accounts.
        s += "  \"staff\": [\n"
        var leavers: [Int] = []
        var leftOn: [Int: String] = [:]
        for i in 1...size.staff {
            let job = jobs[r.int(jobs.count)]
            let left = r.chance(rare(40))
            if left { leavers.append(i) }
            let hired = 400 + r.int(4000)
            s +=
                "    {\"id\": \"S-\(i)\", \"job\": \(q(job)), \"hired_on\": \(q(date(hired))), \"uses_mcs\": true, "
                + "\"account_id\": \"A-\(i)\""
            if left { leftOn[i] = date(r.int(200)); s += ", \"left_on\": \(q(leftOn[i]!))" }
            if !r.chance(rare(15)) { s += ", \"pledge_signed_on\": \(q(date(400 + r.int(300))))" }
            if job == "clerk" && !r.chance(rare(50)) { s += ", \"nda_signed_on\": \(q(date(hired)))" }
            s += ", \"training_dates\": [\(q(date(!r.chance(rare(70)) ? r.int(330) : 400 + r.int(300))))]}"
            s += i == size.staff ? "\n" : ",\n"
        }
        s += "  ],\n  \"accounts\": [\n"
        for i in 1...size.staff {
            let active = !leavers.contains(i) || r.chance(rare(300))
            // A deleted account says when: the leaving day (a blank date under a deleted status is unknown).
            let deleted = active ? "" : "\"deleted_on\": \(q(leftOn[i]!)), "
            s +=
                "    {\"id\": \"A-\(i)\", \"staff_id\": \"S-\(i)\", \"status\": \(q(active ? "active" : "deleted")), "
                + "\(deleted)\"is_admin\": \(i == 1), \"created_on\": \(q(date(900))), "
            s += "\"profile_photo\": \(!r.chance(rare(100))), \"identity_verified\": \(!r.chance(rare(50))), "
            s += "\"password_changed_on\": \(q(date(!r.chance(rare(60)) ? r.int(55) : 90 + r.int(200))))}"
            s += i == size.staff ? "\n" : ",\n"
        }
        s += "  ],\n"
        s +=
            "  \"networks\": [{\"id\": \"N-1\", \"ssid\": \"staff\", \"encryption\": "
            + "\(q(r.chance(950) ? "WPA2-AES" : "WEP")), \"operator\": \"facility\", \"used_for_mcs\": true}],\n"
        // Patients, groups, consents.
        s += "  \"patients\": [\n"
        var ended = [Bool](repeating: false, count: size.patients + 1)
        for i in 1...size.patients {
            let isEnded = r.chance(60)
            ended[i] = isEnded
            s += "    {\"id\": \"P-\(i)\", \"status\": \(q(isEnded ? "discharged" : "active")), \"has_account\": false"
            if isEnded { s += ", \"care_ended_on\": \(q(date(40 + r.int(300))))" }
            s += "}" + (i == size.patients ? "\n" : ",\n")
        }
        s += "  ],\n  \"groups\": [\n"
        for g in 1...size.groups {
            let pid = 1 + (g - 1) % size.patients
            s +=
                "    {\"id\": \"G-\(g)\", \"kind\": \"patient\", \"patient_ids\": "
                + "[\"P-\(pid)\"\(r.chance(5) ? ", \"P-\(1 + r.int(size.patients))\"" : "")], "
            s +=
                "\"created_on\": \(q(date(300 + r.int(300)))), \"first_shared_on\": \(q(date(250 + r.int(40)))), "
                + "\"shares_outside\": \(r.chance(600)), "
            if ended[pid] && !r.chance(rare(60)) { s += "\"archived_on\": \(q(date(30))), " }
            s += "\"reviewed_on\": [\(q(date(!r.chance(rare(30)) ? r.int(170) : 200 + r.int(100))))], \"members\": ["
            // Distinct members: a group lists each account once.
            var sids: [Int] = []
            for _ in 0..<(2 + r.int(3)) {
                let sid = 1 + r.int(size.staff)
                if !sids.contains(sid) { sids.append(sid) }
            }
            let n = sids.count
            for (k, sid) in sids.enumerated() {
                s += "{\"account_id\": \"A-\(sid)\", \"staff_id\": \"S-\(sid)\", \"invited_on\": \(q(date(300))), "
                s += !r.chance(rare(10)) ? "\"approved_by\": \"A-1\", \"approved_on\": \(q(date(300))), " : ""
                s += "\"joined_on\": \(q(date(299)))}" + (k == n - 1 ? "" : ", ")
            }
            s += "]}" + (g == size.groups ? "\n" : ",\n")
        }
        s += "  ],\n  \"consents\": [\n"
        for c in 1...size.consents {
            let pid = 1 + (c - 1) % size.patients
            s +=
                "    {\"id\": \"C-\(c)\", \"patient_id\": \"P-\(pid)\", \"method\": "
                + "\(q(!r.chance(rare(30)) ? "opt-in" : "implied")), \"signed_on\": "
                + "\(q(date(!r.chance(rare(10)) ? 320 : 100))), "
            s +=
                "\"form_on_file\": true, \"kind\": \"initial\", \"refusals\": []}" + (c == size.consents ? "\n" : ",\n")
        }
        s += "  ],\n"
        s +=
            "  \"documents\": ["
            + ["operations-rules", "device-management", "backup-plan", "post-employment-privacy"].enumerated()
            .filter { _ in r.chance(960) }.map {
                "{\"id\": \"D-\($0.offset)\", \"kind\": \(q($0.element)), \"adopted_on\": \(q(date(1000))), "
                    + "\"communicated\": true}"
            }.joined(separator: ", ") + "],\n"
        s += "  \"incidents\": [],\n"
        s +=
            "  \"monitoring\": [{\"id\": \"M-1\", \"kind\": \"post-monitoring\", \"performed_on\": "
            + "\(q(date(r.chance(850) ? r.int(25) : 60))), \"by\": \"S-1\"}],\n"
        s +=
            "  \"attestations\": ["
            + attestationKeys.filter { _ in r.chance(900) }.map {
                "{\"item\": \(q($0)), \"answer\": \"yes\", \"by_role\": "
                    + "\(q($0 == "password-manager" ? "system-admin" : "operations-lead")), \"by\": \"S-1\", "
                    + "\"signed_on\": \(q(date(r.chance(900) ? r.int(300) : 400)))}"
            }.joined(separator: ", ") + "]\n}\n"

        var csv =
            "id,kind,ownership,assigned_staff_id,status,used_for_mcs,os,os_version,os_up_to_date,os_updated_on,screen"
            + "_lock_minutes,device_lock,antimalware,antimalware_updated_on,mdm,remote_wipe,vpn,client_certificate,"
            + "app_source,offsite_connection,locked_storage,privacy_filter,returned_on,managed_by,offsite_wifi_encr"
            + "yption,public_wifi_autojoin\r\n"
        csv.reserveCapacity(size.devices * 150 + 300)
        for d in 1...size.devices {
            let kind = ["pc", "pc", "tablet", "smartphone"][r.int(4)]
            let mobile = kind != "pc"
            let owner = 1 + r.int(size.staff)
            func yes(_ policy: Bool) -> String { policy != r.chance(5) ? "yes" : "no" }
            csv +=
                "D-\(d),\(kind),facility,S-\(owner),active,yes,\(mobile ? "iOS" : "Windows"),"
                + "\(mobile ? "18.6" : "11"),\(!r.chance(rare(100)) ? "yes" : "no"),\(date(r.int(120))),"
            csv +=
                "\(!r.chance(rare(50)) ? String(1 + r.int(9)) : "30"),\(!r.chance(rare(40)) ? "pin" : "none"),"
                + "\(!r.chance(rare(20)) ? "yes" : "no"),\(date(!r.chance(rare(50)) ? r.int(6) : 30)),"
            csv += "\(yes(mdm)),\(yes(mdm)),\(yes(vpn)),\(yes(cert)),"
            let offsite = mobile ? (!r.chance(rare(100)) ? "cellular" : "public-wifi") : "none"
            csv += "\(mobile ? (!r.chance(rare(10)) ? "app-store" : "other") : "browser"),\(offsite),"
            csv +=
                "\(!r.chance(rare(50)) ? "yes" : "no"),\(yes(filter)),,,"
                + "\(offsite == "public-wifi" ? (!r.chance(rare(200)) ? "WPA2-AES" : "open") : ""),"
            csv += "\(!r.chance(rare(50)) ? "no" : "yes")\r\n"
        }
        return (s, csv)
    }

    /// Kinds of damage a corrupt facility gets, in turn.
    public static let corruptions = ["truncated", "bad-date", "wrong-type", "no-snapshot", "unsafe-id", "ragged-csv"]

    /// Writes `count` facility folders under `dir` (folders `f-00000` …). Every `corruptEvery`-th
    /// facility is damaged in one of the `corruptions` ways. Returns the number of corrupt ones.
    @discardableResult
    /// The snapshots of `writeBatch` (without their device tables) two ways: one JSON Lines
    /// file with a snapshot per line, and a folder with one `.json` file each, for the same
    /// facilities.
    public static func writeSnapshots(jsonLines file: String, folder: String, count: Int, seed: UInt64) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var lines: [String] = []
        for i in 0..<count {
            let id = String(format: "F-%05d", i)
            let (snap, _) = facility(id: id, size: size(for: i, seed: seed), seed: seed &+ UInt64(i) &* 7919)
            // One line: a JSON string holds no raw line feed, so leading white space is never inside one.
            let line = snap.split(separator: "\n").map { $0.drop { $0 == " " } }.joined()
            lines.append(line)
            try Data(line.utf8).write(
                to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("\(id).json")))
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
    }

    public static func writeBatch(
        to dir: String, count: Int, seed: UInt64, corruptEvery: Int? = nil, clinicsOnly: Bool = false
    ) throws -> Int {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var corrupt = 0
        for i in 0..<count {
            let name = String(format: "f-%05d", i)
            let folder = (dir as NSString).appendingPathComponent(name)
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let id = String(format: "F-%05d", i)
            var (snap, csv) = facility(
                id: id, size: clinicsOnly ? .clinic : size(for: i, seed: seed), seed: seed &+ UInt64(i) &* 7919)
            if let every = corruptEvery, i % every == every - 1 {
                let kind = corruptions[(i / every) % corruptions.count]
                corrupt += 1
                switch kind {
                case "truncated": snap = String(snap.prefix(snap.count / 2))
                case "bad-date":
                    snap = snap.replacingOccurrences(
                        of: "\"hired_on\": \"", with: "\"hired_on\": \"2023-02-30\", \"x\": \"")
                case "wrong-type":
                    snap = snap.replacingOccurrences(of: "\"beds\": 0", with: "\"beds\": \"many\"")
                        .replacingOccurrences(of: "\"uses_wifi\": true", with: "\"uses_wifi\": \"yes\"")
                case "no-snapshot": snap = ""
                case "unsafe-id":
                    snap = snap.replacingOccurrences(of: "\"id\": \"\(id)\"", with: "\"id\": \"../../etc/\(id)\"")
                default: csv += "D-extra,pc,facility\r\n"
                }
            }
            if !snap.isEmpty {
                try Data(snap.utf8).write(
                    to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("snapshot.json")))
            }
            try Data(csv.utf8).write(
                to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("devices.csv")))
        }
        return corrupt
    }
}
