#pragma once

#include <QListView>

namespace zmqscope {

class EventLogModel;

/**
 * The Events panel: the log's lines in a fixed-width font, never cut (a long
 * one scrolls sideways), with Copy and Clear Events; it stays at the newest
 * line unless the user has scrolled up to read.
 */
class EventLogView : public QListView
{
    Q_OBJECT

public:
    EventLogView(EventLogModel &model, QWidget *parent = nullptr);

private:
    void handleRowsInserted();
    void copySelectedLines();

    EventLogModel &m_model;
};

} // namespace zmqscope
