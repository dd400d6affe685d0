#include "recorddialog.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <zmqscope/version.h>

#include "compose/inlinemessage.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {
constexpr int MiB = 1024 * 1024;
}

RecordDialog::RecordDialog(const QList<SocketInfo> &sockets, const QList<SocketId> &selected, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"RecordDialog"_s);
    setWindowTitle(u"Record to File"_s);

    m_fileEdit = new QLineEdit(this);
    m_fileEdit->setObjectName(u"fileEdit"_s);
    m_fileEdit->setMinimumWidth(fontMetrics().horizontalAdvance(u'x') * 56);
    connect(m_fileEdit, &QLineEdit::textChanged, this, &RecordDialog::updateState);
    auto *browseButton = new QPushButton(u"&Browse\u2026"_s, this);
    browseButton->setAutoDefault(false);
    connect(browseButton, &QPushButton::clicked, this, &RecordDialog::browse);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_fileEdit, 1);
    fileRow->addWidget(browseButton);

    m_allRadio = new QRadioButton(u"&All sockets, also the ones opened while recording"_s, this);
    m_allRadio->setObjectName(u"allRadio"_s);
    m_selectedRadio = new QRadioButton(u"&Only these sockets:"_s, this);
    m_selectedRadio->setObjectName(u"selectedRadio"_s);
    m_socketList = new QListWidget(this);
    m_socketList->setObjectName(u"socketList"_s);
    m_socketList->setMaximumHeight(fontMetrics().height() * 8);
    for (const SocketInfo &info : sockets) {
        if (info.state == SocketState::Closed || info.state == SocketState::Failed)
            continue;
        auto *item = new QListWidgetItem(u"%1 (%2)"_s.arg(info.spec.name, socketTypeName(info.spec.type)));
        item->setData(Qt::UserRole, uint(info.id));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(selected.contains(info.id) ? Qt::Checked : Qt::Unchecked);
        m_socketList->addItem(item);
    }
    // All by default: the Sockets panel always has a selection, which says little about what to record.
    m_allRadio->setChecked(true);
    m_selectedRadio->setEnabled(m_socketList->count() > 0);
    connect(m_selectedRadio, &QRadioButton::toggled, this, &RecordDialog::updateState);
    connect(m_socketList, &QListWidget::itemChanged, this, &RecordDialog::updateState);

    m_rotateCheck = new QCheckBox(u"Start a &new file every"_s, this);
    m_rotateCheck->setObjectName(u"rotateCheck"_s);
    m_rotateSizeSpin = new QSpinBox(this);
    m_rotateSizeSpin->setObjectName(u"rotateSizeSpin"_s);
    m_rotateSizeSpin->setRange(1, 1024 * 1024);
    m_rotateSizeSpin->setValue(100);
    m_rotateSizeSpin->setSuffix(u" MiB"_s);
    m_keepCheck = new QCheckBox(u"&Keep only the newest"_s, this);
    m_keepCheck->setObjectName(u"keepCheck"_s);
    m_keepSpin = new QSpinBox(this);
    m_keepSpin->setObjectName(u"keepSpin"_s);
    m_keepSpin->setRange(2, 100000);
    m_keepSpin->setValue(10);
    m_keepSpin->setSuffix(u" files"_s);
    connect(m_rotateCheck, &QCheckBox::toggled, this, &RecordDialog::updateState);
    connect(m_keepCheck, &QCheckBox::toggled, this, &RecordDialog::updateState);
    auto *rotateRow = new QHBoxLayout;
    rotateRow->addWidget(m_rotateCheck);
    rotateRow->addWidget(m_rotateSizeSpin);
    rotateRow->addStretch(1);
    auto *keepRow = new QHBoxLayout;
    keepRow->addSpacing(24);
    keepRow->addWidget(m_keepCheck);
    keepRow->addWidget(m_keepSpin);
    keepRow->addStretch(1);

    m_errorLabel = InlineMessage::createErrorLabel(this);
    m_errorLabel->setObjectName(u"recordError"_s);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_okButton = buttons->addButton(u"&Record"_s, QDialogButtonBox::AcceptRole);
    m_okButton->setObjectName(u"recordButton"_s);
    m_okButton->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &RecordDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &RecordDialog::reject);

    auto *scopeBox = new QVBoxLayout;
    scopeBox->addWidget(m_allRadio);
    scopeBox->addWidget(m_selectedRadio);
    scopeBox->addWidget(m_socketList);
    auto *rotateBox = new QVBoxLayout;
    rotateBox->addLayout(rotateRow);
    rotateBox->addLayout(keepRow);
    auto *form = new QFormLayout;
    auto *fileLabel = new QLabel(u"&File:"_s, this);
    fileLabel->setBuddy(m_fileEdit);
    form->addRow(fileLabel, fileRow);
    form->addRow(u"Sockets:"_s, scopeBox);
    form->addRow(u"Rotation:"_s, rotateBox);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(InlineMessage::createHintLabel(
        u"Both directions are recorded, as JSON Lines written while messages arrive; stopping writes "
        u"everything to disk. With rotation the files are numbered like dumpcap: name_00001_<time>.zmqcap."_s,
        this));
    layout->addWidget(m_errorLabel);
    layout->addWidget(buttons);

    setFileName(defaultFileName(QString()));
    updateState();
}

QString RecordDialog::defaultFileName(const QString &directory)
{
    const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss'Z'"_s);
    const QString dir = directory.isEmpty() ? QDir::homePath() : directory;
    return QDir(dir).filePath(u"zmqscope_%1.%2"_s.arg(stamp, QString::fromLatin1(CaptureFileSuffix)));
}

void RecordDialog::setFileName(const QString &fileName)
{
    m_fileEdit->setText(QDir::toNativeSeparators(fileName));
}

QString RecordDialog::fileName() const
{
    return QDir::fromNativeSeparators(m_fileEdit->text().trimmed());
}

void RecordDialog::setOptions(const RecordingOptions &options)
{
    (options.sockets.isEmpty() ? m_allRadio : m_selectedRadio)->setChecked(true);
    for (int row = 0; row < m_socketList->count(); ++row) {
        QListWidgetItem *item = m_socketList->item(row);
        if (!options.sockets.isEmpty())
            item->setCheckState(options.sockets.contains(SocketId(item->data(Qt::UserRole).toUInt()))
                    ? Qt::Checked
                    : Qt::Unchecked);
    }
    m_rotateCheck->setChecked(options.file.rotateBytes > 0);
    if (options.file.rotateBytes > 0)
        m_rotateSizeSpin->setValue(int(qMax<std::uint64_t>(1, options.file.rotateBytes / MiB)));
    m_keepCheck->setChecked(options.file.rotateFiles > 0);
    if (options.file.rotateFiles > 0)
        m_keepSpin->setValue(options.file.rotateFiles);
    updateState();
}

RecordingOptions RecordDialog::options() const
{
    RecordingOptions options;
    options.file.path = fileName();
    options.file.headerExtra = { { u"writer"_s, u"zmqscope %1"_s.arg(libraryVersion()) } };
    if (m_rotateCheck->isChecked()) {
        options.file.rotateBytes = std::uint64_t(m_rotateSizeSpin->value()) * MiB;
        if (m_keepCheck->isChecked())
            options.file.rotateFiles = m_keepSpin->value();
    }
    if (m_selectedRadio->isChecked()) {
        for (int row = 0; row < m_socketList->count(); ++row) {
            const QListWidgetItem *item = m_socketList->item(row);
            if (item->checkState() == Qt::Checked)
                options.sockets.append(SocketId(item->data(Qt::UserRole).toUInt()));
        }
    }
    return options;
}

QString RecordDialog::errorText() const
{
    return InlineMessage::text(m_errorLabel);
}

void RecordDialog::browse()
{
    const QString chosen = QFileDialog::getSaveFileName(
        this, u"Record to File"_s, fileName(), u"ZmqScope captures (*.zmqcap);;All files (*)"_s);
    if (!chosen.isEmpty())
        setFileName(chosen);
}

void RecordDialog::accept()
{
    const QString path = fileName();
    const QFileInfo info(path);
    QString problem;
    if (path.isEmpty())
        problem = u"Choose a file to record to"_s;
    else if (info.isDir())
        problem = u"%1 is a folder; add a file name"_s.arg(QDir::toNativeSeparators(path));
    else if (!info.absoluteDir().exists())
        problem = u"The folder %1 does not exist"_s.arg(QDir::toNativeSeparators(info.absolutePath()));
    else if (m_selectedRadio->isChecked() && options().sockets.isEmpty())
        problem = u"Check at least one socket, or record all sockets"_s;
    InlineMessage::show(m_errorLabel, problem);
    if (problem.isEmpty())
        QDialog::accept();
}

void RecordDialog::updateState()
{
    m_socketList->setEnabled(m_selectedRadio->isChecked());
    m_rotateSizeSpin->setEnabled(m_rotateCheck->isChecked());
    m_keepCheck->setEnabled(m_rotateCheck->isChecked());
    m_keepSpin->setEnabled(m_rotateCheck->isChecked() && m_keepCheck->isChecked());
    m_okButton->setEnabled(!m_fileEdit->text().trimmed().isEmpty());
}

} // namespace zmqscope
