class ReadOnlyAdminMixin:
    """Browse, search and filter in the admin; change through the app's own screens.

    The app's services are the only code that writes these rows (they validate, record who
    did what and keep related rows consistent), so the admin must not be a second path.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
