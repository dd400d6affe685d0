#pragma once

#include <optional>

#include <QDialog>
#include <QList>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/store/messagestore.h>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace zmqscope {

/**
 * View > Decoders…: the decode rules (DESIGN.md section 12) as a table, one rule per row (match,
 * value, format, descriptor set, message type), in the order they are tried; descriptor sets are
 * loaded from files as they are chosen and their message types offered. A preview decodes the
 * message selected in the window with the rules as edited. OK applies them (and the workspace keeps
 * them); a rule that cannot be used says why below the table and keeps OK disabled.
 */
class DecodersDialog : public QDialog
{
    Q_OBJECT
public:
    /// `preview`: the selected message and its socket's name, if any.
    DecodersDialog(const QList<DecodeRule> &rules, std::optional<StoredMessage> preview,
        QString previewSocket, QWidget *parent = nullptr);

    /// The rules as edited (valid when accepted).
    [[nodiscard]] QList<DecodeRule> rules() const;
    /// The loaded set of rules(); only when every rule can be used.
    [[nodiscard]] const std::optional<DecoderSet> &decoders() const { return m_decoders; }
    /// Why the rules cannot be used; empty when they can.
    [[nodiscard]] QString problem() const;

private:
    void addRow(const DecodeRule &rule);
    void moveRow(int delta);
    /// Reads the table, loads it into a DecoderSet, and updates the problem and the preview.
    void update();
    [[nodiscard]] std::optional<DecodeRule> ruleAt(int row, QString &problem) const;
    void chooseDescriptorSet(int row);
    /// Fills the row's message type list from its descriptor set (when it loads).
    void offerMessageTypes(int row);

    QTableWidget *m_table = nullptr;
    QLabel *m_problem = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QLabel *m_previewTitle = nullptr;
    QPushButton *m_ok = nullptr;
    std::optional<StoredMessage> m_message;
    QString m_socket;
    std::optional<DecoderSet> m_decoders;
    QString m_problemText;
};

} // namespace zmqscope
