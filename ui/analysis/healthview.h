#pragma once

#include <optional>

#include <QWidget>

#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/analysis/sequencecheck.h>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableView;

namespace zmqscope {

class HealthModel;

/**
 * The Health dock (issue 18): the sequence field to check and how streams are told apart, the
 * per-socket table, and for the selected socket its connection events as a timeline and the likely
 * causes of what it shows. What ZmqScope itself dropped is said apart, above the table.
 */
class HealthView : public QWidget
{
    Q_OBJECT
public:
    explicit HealthView(HealthModel &model, QWidget *parent = nullptr);

    [[nodiscard]] QLineEdit *fieldEdit() const { return m_field; }
    [[nodiscard]] QComboBox *streamsChooser() const { return m_streams; }
    [[nodiscard]] QPushButton *checkButton() const { return m_check; }
    [[nodiscard]] QLabel *fieldProblem() const { return m_problem; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] QListWidget *timeline() const { return m_timeline; }
    [[nodiscard]] QLabel *hintsLabel() const { return m_hints; }
    [[nodiscard]] QLabel *ownLossLabel() const { return m_ownLoss; }
    /// Shows `field` as the one being checked (a workspace, the demo), without asking again.
    void showField(const std::optional<JsonPath> &field, SequenceStreams by);

Q_SIGNALS:
    /// The user asked to check this field (nullopt: no sequence check).
    void sequenceFieldChosen(const std::optional<zmqscope::JsonPath> &field, zmqscope::SequenceStreams by);

private:
    void applyField();
    void updateDetails();

    HealthModel &m_model;
    QLineEdit *m_field = nullptr;
    QComboBox *m_streams = nullptr;
    QPushButton *m_check = nullptr;
    QLabel *m_problem = nullptr;
    QLabel *m_ownLoss = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_timelineTitle = nullptr;
    QListWidget *m_timeline = nullptr;
    QLabel *m_hints = nullptr;
    bool m_detailsDue = false;
};

} // namespace zmqscope
