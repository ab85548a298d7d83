// What `steer import recbole` refuses, each with an error naming the key, tensor or token: the
// committed fixtures rewritten with one thing wrong.
import SteerInterop
import SteerSafeTensors
import SteerTestSupport
import XCTest

final class RecBoleImportErrorTests: XCTestCase {
    /// Imports the fixture after `edit`, over its own tokens in RecBole order (less `[PAD]`).
    func importEdited(_ stem: String, items: ItemVocabulary? = nil, _ edit: (inout EditableSafeTensors) throws -> Void) throws {
        var file = try EditableSafeTensors(path: recboleFixtureFile(stem))
        try edit(&file)
        let path = try file.write(in: try temporaryDirectory("steer-interop"))
        let model = try RecBoleModelFile(path: path)
        _ = try RecBoleImport.checkpoint(from: model, items: items ?? ItemVocabulary(tokens: Array(model.itemTokens.dropFirst())))
    }

    func expect(_ code: InteropError.Code, mentioning text: String, _ stem: String = "sasrec-tiny", items: ItemVocabulary? = nil,
                line: UInt = #line, _ edit: (inout EditableSafeTensors) throws -> Void) {
        let error = interopError(line: line) { try self.importEdited(stem, items: items, edit) }
        XCTAssertEqual(error?.code, code, line: line)
        XCTAssertTrue(error?.description.contains(text) ?? false, "\(error?.description ?? "no error") lacks \(text)", line: line)
    }

    func testUnchangedFixtureImports() throws {
        try importEdited("sasrec-tiny") { _ in }
        try importEdited("gru4rec-tiny") { _ in }
    }

    func testUnsupportedModelIsNamed() {
        expect(.unsupportedModel, mentioning: "model \"BERT4Rec\" is not supported") { $0.metadata["model"] = "BERT4Rec" }
    }

    func testOtherActivationIsRefusedNamingTheKey() {
        expect(.unsupportedSetting, mentioning: "config key \"hidden_act\" = relu") { try $0.editConfig { $0["hidden_act"] = "relu" } }
    }

    func testOtherLossIsRefusedNamingTheKey() {
        expect(.unsupportedSetting, mentioning: "config key \"loss_type\" = BCE", "gru4rec-tiny") { try $0.editConfig { $0["loss_type"] = "BCE" } }
    }

    func testMissingConfigKeyIsNamed() {
        expect(.missingKey, mentioning: "has no key \"n_heads\"") { try $0.editConfig { $0.removeValue(forKey: "n_heads") } }
        expect(.missingKey, mentioning: "has no key \"item_tokens\"") { $0.metadata.removeValue(forKey: "item_tokens") }
    }

    func testMissingTensorIsNamed() {
        expect(.missingTensor, mentioning: "no tensor \"trm_encoder.layer.1.feed_forward.dense_2.bias\"") {
            $0.tensors.removeAll { $0.name == "trm_encoder.layer.1.feed_forward.dense_2.bias" }
        }
    }

    func testWrongShapeIsNamed() {
        expect(.shapeMismatch, mentioning: "tensor \"dense.weight\" has shape [12, 8]; the config implies [8, 12]", "gru4rec-tiny") {
            let i = $0.tensors.firstIndex { $0.name == "dense.weight" }!
            $0.tensors[i].shape = [12, 8]
        }
    }

    /// n_layers 1 with two layers' tensors: the second layer is not silently ignored.
    func testLayerCountMismatchIsRefused() {
        expect(.unexpectedTensor, mentioning: "tensor \"trm_encoder.layer.1.") { try $0.editConfig { $0["n_layers"] = 1 } }
        expect(.unexpectedTensor, mentioning: "tensor \"gru_layers.weight_hh_l1\"", "gru4rec-tiny") { try $0.editConfig { $0["num_layers"] = 1 } }
    }

    func testSizeOutsideThePluginIsRefused() {
        expect(.unsupportedSetting, mentioning: "config key \"n_heads\" = 3: must divide hidden_size 8") { try $0.editConfig { $0["n_heads"] = 3 } }
    }

    func testUnknownTokenIsNamed() throws {
        var items = ItemVocabulary(tokens: Array(try ExpectedScores.load("sasrec-tiny").item_tokens.dropFirst()))
        let gone = items.tokens.remove(at: 3)
        items = ItemVocabulary(tokens: items.tokens)
        expect(.unknownToken, mentioning: "item token \"\(gone)\" of the model is not an item of the target dataset", items: items) { _ in }
    }

    func testDatasetItemWithoutRowIsNamed() throws {
        let items = ItemVocabulary(tokens: Array(try ExpectedScores.load("sasrec-tiny").item_tokens.dropFirst()) + ["m1000"])
        expect(.missingItem, mentioning: "Steer item \"m1000\" (id 12) has no row", items: items) { _ in }
    }

    func testTokensNeedPadAndNoRepeats() {
        expect(.malformed, mentioning: "not RecBole's \"[PAD]\"") { $0.metadata["item_tokens"] = #"["m17", "m03"]"# }
        expect(.malformed, mentioning: "item token \"m03\" appears twice") { $0.metadata["item_tokens"] = #"["[PAD]", "m03", "m03"]"# }
        expect(.malformed, mentioning: "format") { $0.metadata["format"] = "steer-recbole/9" }
    }
}
