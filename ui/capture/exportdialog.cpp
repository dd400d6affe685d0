#include "exportdialog.h"

#include <algorithm>

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "backgroundpool.h"
#include "compose/inlinemessage.h"
#include "messagespane.h"
#include "messagetablemodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

ExportDialog::ExportDialog(const MessageStore &store, MessagesPane *pane,
    QHash<SocketId, ExportSocket> sockets, const QString &directory, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
    , m_pane(pane)
    , m_sockets(std::move(sockets))
    , m_cancelled(std::make_shared<std::atomic<bool>>(false))
    , m_done(std::make_shared<std::atomic<std::uint64_t>>(0))
    , m_total(std::make_shared<std::atomic<std::uint64_t>>(0))
{
    setObjectName(u"ExportDialog"_s);
    setWindowTitle(u"Export Messages"_s);

    const QLocale locale;
    const int selected = int(pane->selectedSeqs().size());
    const int shown = pane->model()->totalRows();
    m_selectedRadio = new QRadioButton(u"&Selected messages (%1)"_s.arg(locale.toString(selected)), this);
    m_selectedRadio->setObjectName(u"selectedRadio"_s);
    m_selectedRadio->setEnabled(selected > 0);
    m_shownRadio = new QRadioButton(pane->model()->filter().isEmpty()
            ? u"&All messages (%1)"_s.arg(locale.toString(shown))
            : u"&All messages the filter shows (%1)"_s.arg(locale.toString(shown)),
        this);
    m_shownRadio->setObjectName(u"shownRadio"_s);
    (selected > 1 ? m_selectedRadio : m_shownRadio)->setChecked(true);

    m_formatCombo = new QComboBox(this);
    m_formatCombo->setObjectName(u"formatCombo"_s);
    m_formatCombo->addItem(u"ZmqScope capture, JSON Lines (*.zmqcap)"_s, int(ExportFormat::JsonLines));
    m_formatCombo->addItem(u"CSV, one row per message (*.csv)"_s, int(ExportFormat::Csv));
    connect(m_formatCombo, &QComboBox::currentIndexChanged, this, &ExportDialog::handleFormatChanged);

    m_fileEdit = new QLineEdit(this);
    m_fileEdit->setObjectName(u"fileEdit"_s);
    m_fileEdit->setMinimumWidth(fontMetrics().horizontalAdvance(u'x') * 56);
    const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss'Z'"_s);
    m_fileEdit->setText(QDir::toNativeSeparators(QDir(directory.isEmpty() ? QDir::homePath() : directory)
                                                     .filePath(u"zmqscope-export_%1.%2"_s.arg(stamp,
                                                         messageexport::suffix(ExportFormat::JsonLines)))));
    connect(m_fileEdit, &QLineEdit::textChanged, this, &ExportDialog::updateState);
    m_browseButton = new QPushButton(u"&Browse\u2026"_s, this);
    m_browseButton->setAutoDefault(false);
    connect(m_browseButton, &QPushButton::clicked, this, &ExportDialog::browse);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_fileEdit, 1);
    fileRow->addWidget(m_browseButton);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"progress"_s);
    m_progress->setFormat(u"%v / %m"_s);
    m_progress->hide();
    m_errorLabel = InlineMessage::createErrorLabel(this);
    m_errorLabel->setObjectName(u"exportError"_s);

    auto *buttons = new QDialogButtonBox(this);
    m_exportButton = buttons->addButton(u"&Export"_s, QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(u"exportButton"_s);
    m_exportButton->setDefault(true);
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    m_closeButton->setObjectName(u"closeButton"_s);
    // Not connected to accept(): Export starts the worker, which closes the dialog when it is done.
    connect(m_exportButton, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(m_closeButton, &QPushButton::clicked, this, &ExportDialog::reject);

    auto *scopeBox = new QVBoxLayout;
    scopeBox->addWidget(m_selectedRadio);
    scopeBox->addWidget(m_shownRadio);
    auto *form = new QFormLayout;
    form->addRow(u"Messages:"_s, scopeBox);
    form->addRow(u"&Format:"_s, m_formatCombo);
    auto *fileLabel = new QLabel(u"F&ile:"_s, this);
    fileLabel->setBuddy(m_fileEdit);
    form->addRow(fileLabel, fileRow);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(InlineMessage::createHintLabel(
        u"JSON Lines keeps every frame byte for byte and opens again as a capture; CSV has one row per "
        u"message with the body as text (or base64) and every frame in base64."_s,
        this));
    layout->addWidget(m_progress);
    layout->addWidget(m_errorLabel);
    layout->addStretch(1);
    layout->addWidget(buttons);

    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, &ExportDialog::updateProgress);
    connect(&m_watcher, &QFutureWatcher<ExportResult>::finished, this, &ExportDialog::handleFinished);
    updateState();
}

ExportDialog::~ExportDialog()
{
    m_cancelled->store(true);
    m_watcher.waitForFinished();
}

void ExportDialog::setFileName(const QString &fileName)
{
    m_fileEdit->setText(fileName);
}

QString ExportDialog::fileName() const
{
    return QDir::fromNativeSeparators(m_fileEdit->text().trimmed());
}

void ExportDialog::setFormat(ExportFormat format)
{
    m_formatCombo->setCurrentIndex(m_formatCombo->findData(int(format)));
}

ExportFormat ExportDialog::format() const
{
    return ExportFormat(m_formatCombo->currentData().toInt());
}

void ExportDialog::setScope(Scope scope)
{
    (scope == Scope::Selected ? m_selectedRadio : m_shownRadio)->setChecked(true);
}

ExportDialog::Scope ExportDialog::scope() const
{
    return m_selectedRadio->isChecked() ? Scope::Selected : Scope::Shown;
}

QString ExportDialog::errorText() const
{
    return InlineMessage::text(m_errorLabel);
}

void ExportDialog::browse()
{
    const bool csv = format() == ExportFormat::Csv;
    const QString chosen = QFileDialog::getSaveFileName(this, u"Export Messages"_s, fileName(),
        csv ? u"CSV files (*.csv);;All files (*)"_s
            : u"ZmqScope captures (*.zmqcap *.jsonl);;All files (*)"_s);
    if (!chosen.isEmpty())
        m_fileEdit->setText(QDir::toNativeSeparators(chosen));
}

void ExportDialog::handleFormatChanged()
{
    // Keep the name, change a suffix we gave it to the one of the new format.
    const QFileInfo info(fileName());
    static const QStringList ours { u"zmqcap"_s, u"jsonl"_s, u"csv"_s };
    if (!info.fileName().isEmpty() && ours.contains(info.suffix().toLower())) {
        m_fileEdit->setText(QDir::toNativeSeparators(
            info.dir().filePath(info.completeBaseName() + u'.' + messageexport::suffix(format()))));
    }
}

void ExportDialog::startExport()
{
    if (isRunning())
        return;
    InlineMessage::show(m_errorLabel, QString());
    ExportRequest request;
    request.format = format();
    request.path = fileName();
    request.sockets = m_sockets;
    request.headerExtra = m_headerExtra;
    request.encryptedSizes = m_encryptedSizes;
    if (request.path.isEmpty()) {
        InlineMessage::show(m_errorLabel, u"Choose a file to export to"_s);
        return;
    }
    if (QFileInfo(request.path).isDir()) {
        InlineMessage::show(
            m_errorLabel, u"%1 is a folder; add a file name"_s.arg(QDir::toNativeSeparators(request.path)));
        return;
    }

    const MessageTableModel *model = m_pane->model();
    if (scope() == Scope::Selected) {
        request.seqs = m_pane->selectedSeqs();
        if (request.seqs.empty()) {
            InlineMessage::show(m_errorLabel, u"No message is selected; choose All messages"_s);
            return;
        }
    } else {
        // What the table shows: the whole store through the filter, up to the last row shown
        // (while the view is paused, newer messages are not part of what the user looks at).
        request.filter = model->filter();
        request.begin = m_store.firstSeq();
        const int rows = model->totalRows();
        request.end = model->isPaused() ? (rows > 0 ? model->seqAtLogical(rows - 1) + 1 : request.begin)
                                        : m_store.endSeq();
    }

    m_cancelled->store(false);
    m_done->store(0);
    m_total->store(request.seqs.empty() ? 0 : request.seqs.size());
    m_progress->setRange(0, 0);
    m_progress->show();
    const MessageStore *store = &m_store;
    auto cancelled = m_cancelled;
    auto done = m_done;
    auto total = m_total;
    m_watcher.setFuture(
        QtConcurrent::run(&backgroundPool(), [store, request = std::move(request), cancelled, done, total] {
            return messageexport::run(
                *store, request, *cancelled, [done, total](std::uint64_t d, std::uint64_t t) {
                    done->store(d);
                    total->store(t);
                });
        }));
    m_progressTimer.start();
    updateState();
}

void ExportDialog::cancelExport()
{
    m_cancelled->store(true);
}

void ExportDialog::reject()
{
    if (isRunning()) {
        cancelExport();
        return;
    }
    QDialog::reject();
}

void ExportDialog::updateProgress()
{
    const std::uint64_t total = m_total->load();
    if (total == 0)
        return;
    // QProgressBar counts in int: scale big exports.
    const std::uint64_t scale = total > 1'000'000'000 ? total / 1'000'000 : 1;
    m_progress->setRange(0, int(total / scale));
    m_progress->setValue(int(m_done->load() / scale));
}

void ExportDialog::handleFinished()
{
    m_progressTimer.stop();
    m_result = m_watcher.result();
    m_progress->hide();
    updateState();
    if (!m_result.outcome) {
        InlineMessage::show(m_errorLabel, m_result.outcome.errorMessage());
    } else if (m_result.cancelled) {
        InlineMessage::show(m_errorLabel, u"Export cancelled; no file was written"_s);
    }
    Q_EMIT exportFinished(m_result);
    if (m_result.outcome && !m_result.cancelled)
        accept();
}

void ExportDialog::updateState()
{
    const bool running = isRunning();
    m_exportButton->setEnabled(!running && !m_fileEdit->text().trimmed().isEmpty());
    m_closeButton->setText(running ? u"Cancel"_s : u"Close"_s);
    m_formatCombo->setEnabled(!running);
    m_fileEdit->setEnabled(!running);
    m_browseButton->setEnabled(!running);
    m_selectedRadio->setEnabled(!running && m_pane->table()->selectionModel()->hasSelection());
    m_shownRadio->setEnabled(!running);
}

} // namespace zmqscope
