#pragma once

#include <QList>
#include <QStringList>

#include <zmqscope/engine/sniff.h>

#include "formdialog.h"

class QComboBox;
class QLabel;
class QLineEdit;

/**
 * Capture > Sniff Interface (issue 15): the interface to capture on, chosen from the machine's
 * (libpcap's list), the ports to capture (none: every TCP connection), and a name. Every ZMTP
 * connection found there shows in the Sockets panel and its messages in the main table.
 */
class SniffDialog : public FormDialog
{
    Q_OBJECT
public:
    /// `interfaces` are offered in the list (PcapSource::interfaces()); `listError` says why there are
    /// none, and the interface can then be typed.
    SniffDialog(const QStringList &interfaces, const QString &listError, QWidget *parent = nullptr);
    ~SniffDialog() override;

    [[nodiscard]] zmqscope::SniffSpec spec() const;
    void setSpec(const zmqscope::SniffSpec &spec);

    /// "5555, 5556" as ports; the error names the bad one.
    [[nodiscard]] static zmqscope::Result<QList<quint16>> parsePorts(const QString &text);

protected:
    [[nodiscard]] QString defaultName() const override;
    [[nodiscard]] QList<Problem> collectProblems() const override;
    void showFieldProblems(const QList<Problem> &found) override;
    [[nodiscard]] QStringList acceptedEndpoints() const override { return {}; }

private:
    [[nodiscard]] QString interface() const;

    QComboBox *m_interface = nullptr;
    QLabel *m_interfaceError = nullptr;
    QLineEdit *m_ports = nullptr;
    QLabel *m_portsError = nullptr;
};
