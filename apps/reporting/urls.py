from django.urls import path

from .views import bulletins, dashboards, exports, runs, ssda903

app_name = "reporting"

urlpatterns = [
    path("", runs.ReportsHomeView.as_view(), name="index"),
    path("runs/new/", runs.RunCreateView.as_view(), name="run_create"),
    path("runs/<int:pk>/", runs.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress/", runs.RunProgressView.as_view(), name="run_progress"),
    path("rcc/<int:pk>/", dashboards.RccDashboardView.as_view(), name="rcc_dashboard"),
    path("rcc/<int:pk>/dfe-export/", exports.DfeExportView.as_view(), name="dfe_export"),
    path("ssda903/", ssda903.Ssda903View.as_view(), name="ssda903"),
    path(
        "ssda903/<int:la>/<int:year>/<slug:part>/",
        ssda903.Ssda903DownloadView.as_view(),
        name="ssda903_file",
    ),
    path("national/", dashboards.NationalDashboardView.as_view(), name="national"),
    path(
        "snapshots/<int:pk>/tables/<slug:key>/",
        exports.TableExportView.as_view(),
        name="table_export",
    ),
    path("snapshots/<int:pk>/pdf/", exports.SnapshotPdfView.as_view(), name="snapshot_pdf"),
    path("bulletins/", bulletins.BulletinListView.as_view(), name="bulletin_list"),
    path("bulletins/new/", bulletins.BulletinCreateView.as_view(), name="bulletin_create"),
    path("bulletins/<int:pk>/", bulletins.BulletinDetailView.as_view(), name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", bulletins.BulletinEditView.as_view(), name="bulletin_edit"),
    path(
        "bulletins/<int:pk>/publish/",
        bulletins.BulletinPublishView.as_view(),
        name="bulletin_publish",
    ),
    path(
        "bulletins/<int:pk>/withdraw/",
        bulletins.BulletinWithdrawView.as_view(),
        name="bulletin_withdraw",
    ),
]
