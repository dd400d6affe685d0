#include "secretedit.h"

#include <QHBoxLayout>
#include <QLineEdit>
#include <QToolButton>

using namespace Qt::StringLiterals;

SecretEdit::SecretEdit(const QString &objectName, QWidget *parent)
    : QWidget(parent)
{
    m_edit = new QLineEdit(this);
    m_edit->setObjectName(objectName);
    m_edit->setEchoMode(QLineEdit::Password);
    m_show = new QToolButton(this);
    m_show->setObjectName(objectName + u"Show"_s);
    m_show->setText(u"Show"_s);
    m_show->setCheckable(true);
    m_show->setToolTip(u"Show the secret while this is pressed in"_s);
    connect(m_show, &QToolButton::toggled, this, [this](bool shown) {
        m_edit->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
        m_show->setText(shown ? u"Hide"_s : u"Show"_s);
    });
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_show);
    setFocusProxy(m_edit);
}

QString SecretEdit::text() const
{
    return m_edit->text();
}

void SecretEdit::setText(const QString &text)
{
    m_edit->setText(text);
}

void SecretEdit::mask()
{
    m_show->setChecked(false);
}
