export interface NotificationsTables {}
