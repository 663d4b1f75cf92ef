@testable import EtcdAuditCore
import Foundation
import Testing

/// The v2 reader on small answers written here; the seeds fixture is in SeedTests.
struct EtcdV2ReaderTests {
    func read(_ text: String) throws -> (records: [RawRecord], error: InputError?, info: InputInfo) {
        try TestSupport.records(at: try TestSupport.temporaryFile(text, name: "v2.json"), format: nil)
    }

    @Test func nestedDirectoriesGiveTheirKeysInOrder() throws {
        let text = #"""
            {"action":"get","node":{"dir":true,"nodes":[
              {"key":"/a","dir":true,"nodes":[
                {"key":"/a/b","dir":true,"modifiedIndex":3,"createdIndex":3,"nodes":[
                  {"key":"/a/b/c","value":"{\"x\": \"\\u00e9\\n\"}","modifiedIndex":9,"createdIndex":4}]},
                {"key":"/a/empty","dir":true,"nodes":[]},
                {"key":"/a/d","value":"","ttl":30,"expiration":"2030-01-01T00:00:00Z","modifiedIndex":5,"createdIndex":5}],
               "modifiedIndex":2,"createdIndex":2},
              {"key":"/z","value":"1","modifiedIndex":6,"createdIndex":6}]}}
            """#
        let read = try read(text)
        #expect(read.error == nil && read.info.problems.isEmpty)
        #expect(read.records.map(\.key) == ["/a/b/c", "/a/d", "/z"])
        #expect(String(decoding: read.records[0].value, as: UTF8.self) == "{\"x\": \"\\u00e9\\n\"}")
        #expect(read.records[0].createRevision == 4 && read.records[0].modRevision == 9)
        #expect(read.records[1].value.isEmpty)
        // Each record points at its node's '{'.
        let bytes = Array(text.utf8)
        #expect(read.records.allSatisfy { bytes[$0.location.offset!] == UInt8(ascii: "{") })
        #expect(read.info.revision == nil)
    }

    @Test func aSingleKeyAndMembersInAnyOrder() throws {
        let read = try read(#"{"node":{"modifiedIndex":7,"value":"v","createdIndex":1,"key":"/k"},"action":"get"}"#)
        #expect(read.records.map(\.key) == ["/k"])
        #expect(read.records.first?.modRevision == 7)
    }

    @Test func anErrorAnswerIsAnInputError() throws {
        let read = try read(#"{"errorCode":100,"message":"Key not found","cause":"/nope","index":12}"#)
        #expect(read.records.isEmpty)
        #expect(read.error?.message == "etcd answered with error 100: Key not found (/nope)")
    }

    @Test func aKeyNodeWithoutAKeyIsAProblem() throws {
        let read = try read(#"{"action":"get","node":{"dir":true,"nodes":[{"value":"1"},{"key":"/b","value":"2"}]}}"#)
        #expect(read.records.map(\.key) == ["/b"])
        #expect(read.info.problems.first?.message.contains("no key") == true)
    }

    @Test func cutOffAfterARecordKeepsTheRecord() throws {
        let read = try read(#"{"action":"get","node":{"dir":true,"nodes":[{"key":"/a","value":"1"},{"key":"/b","val"#)
        #expect(read.records.map(\.key) == ["/a"])
        #expect(read.error != nil)
    }

    @Test func hostileNestingIsRefused() throws {
        let text = #"{"node":"# + String(repeating: #"{"dir":true,"nodes":["#, count: 600)
        #expect(try read(text).error?.message.contains("nested more than 512 deep") == true)
    }
}
