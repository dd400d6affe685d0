#pragma once

#include <cstdint>
#include <optional>

#include <QWidget>

class QBarSet;
class QBarCategoryAxis;
class QChartView;
class QComboBox;
class QLabel;
class QSpinBox;
class QSplitter;
class QTableView;
class QValueAxis;

namespace zmqscope {

class ConversationModel;

/**
 * The Conversations dock (issue 18): every request with its reply, latency and state; a socket
 * chooser, the timeout after which a request counts as timed out, the figures (p50/p90/p99/max) and
 * a latency histogram of the chosen socket. Activating a row asks for its two messages to be selected.
 */
class ConversationsView : public QWidget
{
    Q_OBJECT
public:
    explicit ConversationsView(ConversationModel &model, QWidget *parent = nullptr);

    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] QComboBox *socketChooser() const { return m_socket; }
    [[nodiscard]] QSpinBox *timeoutBox() const { return m_timeout; }
    [[nodiscard]] QLabel *figuresLabel() const { return m_figures; }
    /// The histogram's counts, one per bin (latencyBinLabels()), for the chosen socket.
    [[nodiscard]] QList<qreal> histogramCounts() const;
    /// The histogram's bins by their upper bound: "10µs", "30µs", ..., "10s", ">10s".
    [[nodiscard]] static QStringList latencyBinLabels();
    /// The bin of a latency, an index into latencyBinLabels().
    [[nodiscard]] static int latencyBin(std::int64_t us);

protected:
    /// The histogram goes beside the table in a wide dock, under it in a tall one.
    void resizeEvent(QResizeEvent *event) override;

Q_SIGNALS:
    /// A row was chosen: select its request and (when there is one) its reply in the Messages table.
    void pairActivated(quint64 request, std::optional<quint64> reply);

private:
    void updateFigures();
    void updateSockets();
    void handleCurrentRowChanged();

    ConversationModel &m_model;
    QComboBox *m_socket = nullptr;
    QSpinBox *m_timeout = nullptr;
    QLabel *m_figures = nullptr;
    QTableView *m_table = nullptr;
    QChartView *m_chart = nullptr;
    QSplitter *m_split = nullptr;
    QBarSet *m_bars = nullptr;
    QValueAxis *m_countAxis = nullptr;
    bool m_figuresDue = false;
};

} // namespace zmqscope
